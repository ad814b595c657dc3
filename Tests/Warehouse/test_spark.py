"""Apache Spark (local[2], one session for every check) executes the spark dialect, both shapes."""
import pytest

import covariate_data
import warehouse_data as data
from conftest import (PAIR_ARGS, analysis, assert_same_analysis, check_cells, check_cross_products, query,
                      write_cells)


@pytest.fixture(scope="module")
def spark(unit_rows, event_rows):
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T

    session = (SparkSession.builder.master("local[2]").appName("strata-warehouse-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    text, double, integer, time = T.StringType(), T.DoubleType(), T.IntegerType(), T.TimestampNTZType()
    units = T.StructType([T.StructField("member_id", text), T.StructField("variant", text),
                          T.StructField("segment", text), T.StructField("converted", integer),
                          T.StructField("revenue", double), T.StructField(data.BASKET, double)])
    columns = [f.name for f in units.fields]
    session.createDataFrame([tuple(r[c] for c in columns) for r in unit_rows], units).createOrReplaceTempView("units")
    exposures, events = event_rows
    session.createDataFrame(exposures, T.StructType([
        T.StructField(n, t) for n, t in [("unit_id", text), ("experiment_id", text), ("variant", text),
                                         ("segment", text), ("exposed_at", time), ("definition_hash", text)]
    ])).createOrReplaceTempView("exposures")
    session.createDataFrame(events, T.StructType([
        T.StructField(n, t) for n, t in [("unit_id", text), ("metric", text), ("value", double), ("occurred_at", time)]
    ])).createOrReplaceTempView("events")
    yield session
    session.stop()


@pytest.mark.parametrize("shape", ["units", "events"])
def test_spark_cells_and_analysis_match_the_csv_path(spark, definition, unit_rows, csv_analysis, workdir, shape):
    sql = query(definition, "spark", table="units") if shape == "units" else \
        query(definition, "spark", exposures="exposures", events="events")
    result = spark.sql(sql)
    columns, rows = result.columns, [tuple(row) for row in result.collect()]
    check_cells(columns, rows, data.expected_cells(unit_rows),
                excluded=data.MULTIPLE_VARIANT_UNITS if shape == "events" else None,
                dropped=None if shape == "events" else data.account(unit_rows)[1])
    cells = write_cells(columns, rows, workdir / f"spark-{shape}.csv")
    assert_same_analysis(analysis(definition, cells), csv_analysis)


@pytest.mark.parametrize("shape", ["units", "events"])
def test_spark_cross_products(spark, definition, unit_rows, shape):
    tables = {"table": "units"} if shape == "units" else {"exposures": "exposures", "events": "events"}
    result = spark.sql(query(definition, "spark", extra=PAIR_ARGS, **tables))
    columns, rows = result.columns, [tuple(row) for row in result.collect()]
    check_cells(columns, rows, data.expected_cells(unit_rows))
    check_cross_products(columns, rows, unit_rows)


def test_spark_covariates_from_events(spark, cov_definition, cov_units, cov_events, cov_csv_analysis, workdir):
    """CUPED covariates from the events before exposure (covariate_data.py), in the same session."""
    from pyspark.sql import types as T

    from test_covariate_events import EVENT_TABLES
    text, double, time = T.StringType(), T.DoubleType(), T.TimestampNTZType()
    exposures, events = cov_events
    spark.createDataFrame(exposures, T.StructType([
        T.StructField(n, t) for n, t in [("unit_id", text), ("experiment_id", text), ("variant", text),
                                         ("segment", text), ("exposed_at", time), ("definition_hash", text)]
    ])).createOrReplaceTempView("cov_exposures")
    spark.createDataFrame(events, T.StructType([
        T.StructField(n, t) for n, t in [("unit_id", text), ("metric", text), ("value", double), ("occurred_at", time)]
    ])).createOrReplaceTempView("cov_events")
    result = spark.sql(query(cov_definition, "spark", **EVENT_TABLES))
    columns, rows = result.columns, [tuple(row) for row in result.collect()]
    covariate_data.check_cells(columns, rows, cov_units)
    cells = write_cells(columns, rows, workdir / "cov-spark.csv")
    assert_same_analysis(analysis(cov_definition, cells), cov_csv_analysis)
