"""The overstap: VMBO/PRO/VSO pupils at risk on their way to MBO, and the overstaptafels."""
