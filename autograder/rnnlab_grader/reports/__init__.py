"""Reports: results in, files and tables out.

    gradebook    results.json per submission, gradebook.csv, the terminal table (written atomically)
    analysis     item analysis of a graded batch: plain numbers, lists and strings
    html_report  that analysis as one self-contained HTML page

May: read results and the corpus' words, write files, draw.
May not: run any code of a submission, or change a score.
"""
