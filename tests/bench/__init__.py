"""Kaggle Team Hub benchmark: ratios against bare Docker measured in the same run.

Run it with ./deploy/bench (which sets up and builds the lite image). Every figure is the
median of several runs with min and max; the last line is machine-readable. Traffic goes
only to 127.0.0.1 and to containers on an internal Docker network made for the run.
"""
