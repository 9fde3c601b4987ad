"""xlwings Lite: paste this file into the ``main.py`` tab of the xlwings Lite task pane.

xlwings Lite registers every custom function and script it finds among this module's members, so
the star import brings in every ``MT_`` function and the import below it the scenario button
(``run_scenarios_script``: reads the Data and Scenarios sheets, writes Summary and one sheet per
scenario). ``requirements.txt`` beside this file says how Lite installs ``metaltrade_xl``.
"""

from metaltrade_xl.macros import run_scenarios_script  # noqa: F401
from metaltrade_xl.udfs import *  # noqa: F403
