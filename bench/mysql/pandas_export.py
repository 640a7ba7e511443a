"""The usual way such exports get written: pandas read_sql + to_csv.

   pandas_export.py HOST PORT USER DATABASE OUT.csv SQL   (password in $BENCH_DB_PASSWORD)
"""
import os
import sys
import warnings

import pandas as pd
import pymysql

warnings.filterwarnings("ignore", category=UserWarning)  # pandas prefers SQLAlchemy

host, port, user, database, out, sql = sys.argv[1:7]
conn = pymysql.connect(host=host, port=int(port), user=user, database=database,
                       password=os.environ["BENCH_DB_PASSWORD"], charset="utf8mb4")
try:
    frame = pd.read_sql(sql, conn)
    frame.to_csv(out, index=False)
finally:
    conn.close()
