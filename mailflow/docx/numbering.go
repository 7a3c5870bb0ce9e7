package docx

import (
	"archive/zip"
	"encoding/xml"
	"strconv"
)

// maxLevels is the number of list levels Word has (ilvl 0–8).
const maxLevels = 9

// listLevel is one level of a list definition.
type listLevel struct {
	format string // numFmt: "bullet", "decimal", "lowerLetter", "none", …
	start  int
}

// listInstance is a w:num: a list definition, possibly restarted.
type listInstance struct {
	abstract string
	override [maxLevels]int // startOverride per level, 0 for none
}

// numbering holds the list definitions of word/numbering.xml and, while
// the document is read, the counters of each list.
type numbering struct {
	abstract map[string]*[maxLevels]listLevel
	nums     map[string]*listInstance
	counters map[string]*[maxLevels]int
}

// readNumbering reads word/numbering.xml. A missing part gives empty
// definitions, and every list paragraph then reads as a "- " bullet.
func readNumbering(f *zip.File) (*numbering, error) {
	n := &numbering{abstract: map[string]*[maxLevels]listLevel{}, nums: map[string]*listInstance{}, counters: map[string]*[maxLevels]int{}}
	var levels *[maxLevels]listLevel
	var inst *listInstance
	lvl, overrideLvl := -1, -1
	err := walkPart(f, func(el xml.StartElement, parents []tag) {
		t := tagOf(el.Name)
		if t.ns != nsWord {
			return
		}
		switch {
		case t.local == "abstractNum":
			levels = &[maxLevels]listLevel{}
			n.abstract[attr(el, "abstractNumId")] = levels
		case t.local == "num" && parentIs(parents, w("numbering")):
			inst = &listInstance{}
			n.nums[attr(el, "numId")] = inst
		case t.local == "lvl" && parentIs(parents, w("abstractNum")):
			lvl = levelIndex(el)
			if lvl >= 0 {
				levels[lvl] = listLevel{format: "decimal", start: 1}
			}
		case t.local == "numFmt" && parentIs(parents, w("abstractNum"), w("lvl")) && lvl >= 0:
			levels[lvl].format = attr(el, "val")
		case t.local == "start" && parentIs(parents, w("abstractNum"), w("lvl")) && lvl >= 0:
			levels[lvl].start = intAttr(el, "val", 1)
		case t.local == "abstractNumId" && parentIs(parents, w("num")) && inst != nil:
			inst.abstract = attr(el, "val")
		case t.local == "lvlOverride" && parentIs(parents, w("num")):
			overrideLvl = levelIndex(el)
		case t.local == "startOverride" && parentIs(parents, w("num"), w("lvlOverride")) && inst != nil && overrideLvl >= 0:
			inst.override[overrideLvl] = max(intAttr(el, "val", 0), 0)
		}
	})
	return n, err
}

// levelIndex reads a w:ilvl attribute, or -1 when it is out of range.
func levelIndex(el xml.StartElement) int {
	i := intAttr(el, "ilvl", -1)
	if i < 0 || i >= maxLevels {
		return -1
	}
	return i
}

// maxListNumber bounds list counters, which a hostile start value could
// push anywhere.
const maxListNumber = 1 << 20

// marker returns the marker of the next paragraph of list numID at level
// ilvl — "- " for bullets and unknown lists, "3. " for decimal
// numbering, "c. " for lowercase letters (both of which the minutes
// parser reads as numbered items), "" for a level shown without one —
// and counts it.
func (n *numbering) marker(numID string, ilvl int) string {
	ilvl = min(max(ilvl, 0), maxLevels-1)
	if n == nil {
		return "- "
	}
	inst := n.nums[numID]
	if inst == nil {
		return "- "
	}
	levels := n.abstract[inst.abstract]
	if levels == nil {
		return "- "
	}
	level := levels[ilvl]
	count := n.count(numID, ilvl, level, inst.override[ilvl])
	switch level.format {
	case "decimal", "decimalZero", "decimalEnclosedParen", "decimalEnclosedFullstop", "decimalEnclosedCircle":
		return strconv.Itoa(count) + ". "
	case "lowerLetter":
		if count >= 1 && count <= 26 {
			return string(rune('a'+count-1)) + ". "
		}
	case "none":
		return ""
	}
	return "- "
}

// count advances the counter of a list level, restarting the levels
// under it, and returns the level's number.
func (n *numbering) count(numID string, ilvl int, level listLevel, override int) int {
	c := n.counters[numID]
	if c == nil {
		c = &[maxLevels]int{}
		n.counters[numID] = c
	}
	if c[ilvl] == 0 {
		start := level.start
		if override > 0 {
			start = override
		}
		c[ilvl] = min(max(start, 1), maxListNumber)
	} else if c[ilvl] < maxListNumber {
		c[ilvl]++
	}
	for i := ilvl + 1; i < maxLevels; i++ {
		c[i] = 0
	}
	return c[ilvl]
}
