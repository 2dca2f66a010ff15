"""Demo data and the region generator: development and benchmarking only.

Not part of the application package (``pip install .`` ships ``portal`` alone): ``wsgi.py``
adds the ``flask --app wsgi demo-data`` command from :mod:`devdata.cli`.

* :mod:`devdata.demo`: the small demo region with the seven demo accounts (``make run``).
* :mod:`devdata.region`: a region the size of Zuid-Holland Zuid, or a fraction or multiple of
  it, on top of the small demo (``demo-data --scale``, ``make bench``).
"""
