"""Seed data: the real administrative frame of Rencheng district and generated content."""
