def add(T, hit, miss, seq):
    pass
