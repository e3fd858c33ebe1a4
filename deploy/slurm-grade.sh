#!/bin/bash
# A Slurm job array that grades a folder of submissions in 8 shards, 2 cores each:
#   sbatch deploy/slurm-grade.sh /shared/submissions /shared/results
# from a clone on a shared file system, set up once with `bash bin/setup` (Python 3.11); then
#   .venv/bin/rnnlab gradebook /shared/results/shard-* --out /shared/results/all
#SBATCH --job-name=rnnlab-grade
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=01:00:00
JOBS=2 exec bin/grade-shard "$1" "$2"
