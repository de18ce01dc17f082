"""Operations: a class graded in a batch (here or on a Dask cluster), the student bundle and the Gradescope export."""
