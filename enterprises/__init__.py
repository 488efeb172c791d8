"""企业帮扶 (三送一强, 五个一): enterprises, visits, requests, outcomes."""
