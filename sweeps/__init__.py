"""Many experiments: `artgan sweep` on Optuna (TPE sampling, successive-halving/Hyperband pruning).

Each trial is an ordinary run folder; the study lives in an Optuna storage (SQLite in the
sweep folder by default, or any RDB URL shared by several machines).  Optuna is the
``[sweep]`` extra and is imported only here; TensorFlow only inside a trial.
"""
