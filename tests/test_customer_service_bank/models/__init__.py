from . import cs_test_batch_job
