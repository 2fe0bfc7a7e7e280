from . import cs_complaint_merge
