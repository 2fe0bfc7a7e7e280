"""Packaging of the customer_service_bank Odoo 18.0 addon.

``pip install .`` installs the addon as the Python package
``odoo.addons.customer_service_bank`` (distribution
``odoo-addon-customer_service_bank``). Odoo itself is not a dependency here: it
is not on any package registry, and it provides the ``odoo`` / ``odoo.addons``
namespace packages this addon is installed into.
"""

import ast
import os

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON = "customer_service_bank"
ADDON_DIR = os.path.join(HERE, ADDON)
PACKAGE = "odoo.addons." + ADDON
DEFAULT_VERSION = "18.0.1.0.0"


def _manifest():
    path = os.path.join(ADDON_DIR, "__manifest__.py")
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as manifest_file:
        return ast.literal_eval(manifest_file.read())


def _package_data():
    """Every non-Python file of the addon (xml, csv, po, pot, png, svg, js,
    scss, ... in data/, views/, i18n/, static/, ...), relative to the addon."""
    files = []
    for dirpath, dirnames, filenames in os.walk(ADDON_DIR):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for filename in sorted(filenames):
            if filename.endswith((".py", ".pyc", ".pyo")):
                continue
            path = os.path.join(dirpath, filename)
            files.append(os.path.relpath(path, ADDON_DIR).replace(os.sep, "/"))
    return files


MANIFEST = _manifest()
VERSION = MANIFEST.get("version", DEFAULT_VERSION)
if not VERSION.startswith("18.0."):
    raise SystemExit(f"{ADDON}: manifest version {VERSION!r} is not an 18.0 version")

with open(os.path.join(HERE, "README.md"), encoding="utf-8") as readme_file:
    LONG_DESCRIPTION = readme_file.read()

setup(
    name="odoo-addon-" + ADDON,
    version=VERSION,
    description=MANIFEST.get(
        "summary",
        "Bank customer-service complaints with regulatory deadlines for Odoo 18.0",
    ),
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/markdown",
    author=MANIFEST.get("author", "Customer Service Bank Developers"),
    url=MANIFEST.get("website"),
    license="LGPL-3",
    python_requires=">=3.10",
    # public holidays of any country and year (resource.calendar)
    install_requires=["holidays"],
    # odoo / odoo.addons are namespace packages provided by Odoo itself:
    # only the addon and its subpackages are declared here.
    package_dir={PACKAGE: ADDON},
    packages=[PACKAGE] + [PACKAGE + "." + sub for sub in find_packages(ADDON_DIR)],
    package_data={PACKAGE: _package_data()},
    include_package_data=True,
    zip_safe=False,
    classifiers=[
        "Programming Language :: Python",
        "Programming Language :: Python :: 3",
        "Framework :: Odoo",
        "Framework :: Odoo :: 18.0",
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
        "Operating System :: OS Independent",
    ],
)
