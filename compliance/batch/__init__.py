"""Checking many submissions: find the folders, check them in worker processes, store every
outcome in the registry as it arrives.

discover.py  DIR... -> the submission folders (and folders that look like broken submissions)
worker.py    one folder -> Outcome (verdict and rendered reports, or the failure), in a worker process
cluster.py   run tasks on Dask (a LocalCluster, or a scheduler's cluster); a check that crashes, hangs
             or grows takes no other submission with it (isolate.py: each task in a process of its own,
             forked by its run's zygote on the worker, zygote.py)
"""
