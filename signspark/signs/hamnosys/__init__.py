"""HamNoSys: notation for signs, turned into SMPL-X postures and motion."""
