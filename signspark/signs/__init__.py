"""What we know about signs: languages, alphabets, handshapes, placement, HamNoSys, lexicons."""
