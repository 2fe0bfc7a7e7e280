from . import main
from . import care_invitation
