"""The arithmetic: pure numpy/pandas on :class:`~xlpmo.contract.model.Inputs`; imports only
:mod:`xlpmo.contract` and :mod:`xlpmo.errors` (no file, zip, XML or Excel access).

- :mod:`.xvalue`: the one error model (error codes, Excel's leftmost-error rule, XValue);
- :mod:`.arith`: Excel-style division and the XLError cells of output tables;
- :mod:`.evm`, :mod:`.schedule`: earned value and earned schedule (tblEVM);
- :mod:`.evm_checks`: the findings of the compute step (a BOTTOMUP EAC without a forecast);
- :mod:`.portfolio`: the roll-up per portfolio (tblPortfolio);
- :mod:`.variance`, :mod:`.rag`: cost variance (tblVariance) and Red/Amber/Green;
- :mod:`.forecast`, :mod:`.specfun`: forecast methods and their distributions;
- :mod:`.forecast_out`: tblForecastOut (actuals, then the forecast to each project's EAC);
- :mod:`.capacity`, :mod:`.utilisation`: working days, capacity and utilisation (tblUtilisation);
- :mod:`.capacityplan`: demand against capacity by Role or Team (tblCapacityPlan);
- :mod:`.commands`: the commands' arithmetic (next month end, tblHistory rows, new IDs, imports);
- :mod:`.trend`, :mod:`.trend_out`: each project's figures month by month (tblTrend);
- :mod:`.ranges`, :mod:`.range_functions`: the statistical EAC and finish ranges and the EAC
  realism test (tblEVM's EACLow ... BACAtRisk; EACRANGE, FINISHRANGE);
- :mod:`.tracker`: :func:`~xlpmo.core.tracker.compute`, every output table at once.
"""

__all__ = [
    "arith", "capacity", "capacityplan", "commands", "evm", "evm_checks", "forecast",
    "forecast_out", "portfolio", "rag", "range_functions", "ranges", "schedule", "specfun",
    "tracker", "trend", "trend_out", "utilisation", "variance", "xvalue",
]
