"""经济运行监测: the monthly panel of every enterprise's reports, and what is built on it."""
