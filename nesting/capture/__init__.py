"""Hides from photos: a picture of a hide on the cutting table becomes a hide of the model.

Cutting rooms capture hides with a camera above the table (the Autometrix HideShot separates hide
and table in one picture [S13]; the Dürkopp patent codes each fault grade by a colour [S9]); a
learning factory has a phone. The operator chalk-marks faults first, as trainees are taught to
[S40][S59]. This package turns such a picture into the hide's outline, its marked defects and zones
and its backbone, in millimetres:

- :mod:`.segment`: hide against table (background model, contrast, the checks on what was found);
- :mod:`.marks`: chalk or tape marks of the documented colours inside the hide;
- :mod:`.reference`: the reference rectangle and the perspective it shows;
- :mod:`.outline`: pixels to polygons in mm, conservative smoothing, the backbone;
- :mod:`.capture`: the whole chain, :func:`~leathernest.capture.capture.capture_hide`;
- :mod:`.synth`: synthetic photos of generated hides with known truth, for tests and benchmarks.

Reading the image file is I/O and lives in :mod:`leathernest.io.photo`. scikit-image, scipy and
Pillow are imported by these modules at their top: import the package only where a photo is read.
"""
