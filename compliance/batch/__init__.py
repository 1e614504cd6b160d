"""Checking many submissions: find the folders, check them in worker processes, store every
outcome in the registry as it arrives.

discover.py  DIR... -> the submission folders (and folders that look like broken submissions)
worker.py    one folder -> Outcome (verdict and rendered reports, or the failure), in a worker process
pool.py      run tasks over processes; a worker that dies takes no other submission with it
"""
