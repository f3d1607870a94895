print("muse: under construction")
