package orgsim

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/licenseplan/licenseplan/rules"
)

// licenseRules is what the simulator knows of Salesforce's license
// changes, read from the rule data files themselves (rules.DataFile) and
// decided here, independently of rules.Table and the planner: a planner
// mistake shows up as a refused write.
//
//   - 000 (Salesforce Help, "Experience Cloud Licenses Eligible for
//     Upgrades"): a check-mark cell of its conversion table allows the
//     change in place; any other cell refuses it. It is Salesforce's own
//     documentation, so it decides where it covers the pair.
//   - 001 (an observed license change matrix): otherwise, "Yes" allows the
//     change; any other cell is the message Salesforce gave, which the
//     simulator answers with.
//   - A pair neither covers is refused with Salesforce's message for a
//     profile of another license (salesforce-facts.md section 8, KB
//     000386999).
type licenseRules struct {
	cat    *rules.Catalog
	help   map[[2]string]string // license groups -> outcome
	matrix map[[2]string]string // canonical license names -> result
}

// msgOtherLicense is Salesforce's message for a ProfileId of another
// license (KB 000386999).
const msgOtherLicense = "You can only reassign this user to a profile of the current license."

var (
	licenseRulesOnce sync.Once
	licenseRulesVal  *licenseRules
	licenseRulesErr  error
)

func loadLicenseRules() (*licenseRules, error) {
	licenseRulesOnce.Do(func() { licenseRulesVal, licenseRulesErr = parseLicenseRules() })
	return licenseRulesVal, licenseRulesErr
}

func parseLicenseRules() (*licenseRules, error) {
	t, err := rules.Default()
	if err != nil {
		return nil, err
	}
	lr := &licenseRules{cat: t.Catalog, help: map[[2]string]string{}, matrix: map[[2]string]string{}}
	helpData, _ := rules.DataFile("help000.yaml")
	var cells []struct {
		From    string `yaml:"from"`
		To      string `yaml:"to"`
		Outcome string `yaml:"outcome"`
	}
	if err := yaml.Unmarshal(helpData, &cells); err != nil {
		return nil, fmt.Errorf("orgsim: help000.yaml: %w", err)
	}
	for _, c := range cells {
		lr.help[[2]string{c.From, c.To}] = c.Outcome
	}
	matrixData, _ := rules.DataFile("matrix001.csv")
	recs, err := csv.NewReader(bytes.NewReader(matrixData)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("orgsim: matrix001.csv: %w", err)
	}
	for _, r := range recs[1:] { // Row,Column,From,To,Result
		from, ok1 := lr.cat.CanonicalName(r[2])
		to, ok2 := lr.cat.CanonicalName(r[3])
		if ok1 && ok2 {
			lr.matrix[[2]string{from, to}] = r[4]
		}
	}
	return lr, nil
}

// license returns the catalog entry of a license name, nil when unknown.
func (lr *licenseRules) license(name string) *rules.License {
	l, ok := lr.cat.Lookup(name)
	if !ok {
		return nil
	}
	return l
}

// inPlace reports whether Salesforce changes a user of license from to a
// profile of license to in place, and otherwise its message.
func (lr *licenseRules) inPlace(from, to string) (bool, string) {
	if strings.EqualFold(from, to) {
		return true, ""
	}
	lf, lt := lr.license(from), lr.license(to)
	if lf == nil || lt == nil {
		return false, msgOtherLicense
	}
	m, inMatrix := lr.matrix[[2]string{lf.Name, lt.Name}]
	if lf.Group != "" && lt.Group != "" {
		if o, ok := lr.help[[2]string{lf.Group, lt.Group}]; ok {
			if o == "change_in_place" {
				return true, ""
			}
			if inMatrix && m != "Yes" && m != "No Change" {
				return false, m
			}
			return false, msgOtherLicense
		}
	}
	switch {
	case !inMatrix:
		return false, msgOtherLicense
	case m == "Yes" || m == "No Change":
		return true, ""
	}
	return false, m
}
