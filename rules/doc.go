// Package rules is licenseplan's rule set: a catalog of Salesforce user
// licenses and a conversion table that resolves every ordered pair of catalog
// licenses to one outcome (no_change, change_in_place, disable_reenable,
// recreate) with a stable rule ID, its source, and the warnings that apply.
//
// The table is built from two source documents, shipped as data in data/:
//
//   - 000_7706ceabebc363c0.txt, Salesforce Help "Experience Cloud Licenses
//     Eligible for Upgrades": its upgrade considerations and its "License
//     Conversion and Upgrade Compatibility" table (data/help000.yaml);
//   - 001_008dcf5304a02f12.txt, an 18 x 18 matrix of license changes and the
//     result Salesforce gives for each (data/matrix001.csv, transcribed cell by
//     cell; a test checks the transcription against the document).
//
// Where they disagree, 000 (current official documentation) wins, and the
// rule's Conflict says so. Pairs neither document covers resolve to recreate
// with rule ID UNCOVERED. A config file can override any pair.
//
// The package does no I/O and prints nothing.
package rules
