"""惠企政策: policies as data over the enterprise record, matched with the trace of every result."""
