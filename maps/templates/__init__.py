"""The Word report template riskmap ships (``report.docx``) and the code that makes it."""
