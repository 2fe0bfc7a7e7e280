from . import cs_complaint_merge
from . import cs_complaint_statistics_export
