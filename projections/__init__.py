"""Pure logic that folds events into read models and figures. No I/O in this package:
the embedded path, the faust workers and the replay engine all call these functions."""
