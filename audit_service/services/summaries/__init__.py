"""Practice-quality summaries for HR and leaders: figures, tables, trends, coverage, and who may
read which scope.
"""
