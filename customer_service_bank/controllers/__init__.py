from . import main
from . import care_invitation
from . import api
from . import portal
from . import attachment
