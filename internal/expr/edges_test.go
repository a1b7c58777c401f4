package expr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
)

// Null handling, multi-valued inputs, conversions and the departures the
// package doc lists.
func TestFunctionsEdges(t *testing.T) {
	proxies := attrs{"proxyAddresses": []string{"SMTP:a@x", "smtp:b@x", "smtp:a@y"}}
	runEval(t, []evalCase{
		{"attribute alone", `[mail]`, attrs{"mail": "a@b"}, "a@b", ""},
		{"attribute absent", `[mail]`, nil, nil, ""},
		{"bool attribute", `[accountEnabled]`, attrs{"accountEnabled": true}, true, ""},
		{"unsupported attribute type", `[x]`, attrs{"x": 1.5}, nil, "[x]: unsupported value type float64"},
		{"Append null source", `Append([a], "x")`, nil, nil, ""},
		{"Append null suffix", `Append("a", [x])`, nil, "a", ""},
		{"BitAnd strings", `BitAnd("12", 10)`, nil, int64(8), ""},
		{"BitAnd not a number", `BitAnd("x", 10)`, nil, nil, `BitAnd: "x" is not a number`},
		{"CBool number", `CBool(2)`, nil, true, ""},
		{"CBool zero string", `CBool("0")`, nil, false, ""},
		{"CBool True string", `CBool("True")`, nil, true, ""},
		{"CBool garbage", `CBool("maybe")`, nil, nil, `CBool: "maybe" is not a boolean`},
		{"CDate not a date", `CDate("abc")`, nil, nil, `CDate: "abc" is not a date`},
		{"CDate Entra form round trip", `CDate(Now())`, nil, "7/2/2021 3:33:38 PM", ""},
		{"CDate null", `CDate([d])`, nil, nil, ""},
		{"Coalesce empty string counts", `Coalesce([a], "", "x")`, nil, "", ""},
		{"Coalesce all null", `Coalesce([a], [b])`, nil, nil, ""},
		{"Coalesce default", `Coalesce([a], [b], "d")`, nil, "d", ""},
		{"ConvertToBase64 non-BMP", `ConvertToBase64("😀")`, nil, "PdgA3g==", ""},
		{"Count list", `Count([proxyAddresses])`, proxies, int64(3), ""},
		{"Count null", `Count([x])`, nil, int64(0), ""},
		{"Count single", `Count([x])`, attrs{"x": "v"}, int64(1), ""},
		{"CStr bool", `CStr([accountEnabled])`, attrs{"accountEnabled": false}, "False", ""},
		{"CStr int", `CStr(Len("abc"))`, nil, "3", ""},
		{"CStr multi-valued", `CStr([proxyAddresses])`, proxies, nil, "CStr: [proxyAddresses] is multi-valued; use Join or Item"},
		{"DateAdd month clamps", `DateAdd("m", 1, CDate("2024-01-31"))`, nil, "2/29/2024 12:00:00 AM", ""},
		{"DateAdd year clamps", `DateAdd("yyyy", 1, "2024-02-29T10:00:00Z")`, nil, "2/28/2025 10:00:00 AM", ""},
		{"DateAdd hours minutes seconds", `DateAdd("s", 30, DateAdd("n", 2, DateAdd("h", -1, CDate("2024-01-01"))))`, nil, "12/31/2023 11:02:30 PM", ""},
		{"DateAdd quarter", `DateAdd("q", 1, CDate("2024-11-30"))`, nil, "2/28/2025 12:00:00 AM", ""},
		{"DateAdd interval case", `DateAdd("D", 1, CDate("2024-01-01"))`, nil, "1/2/2024 12:00:00 AM", ""},
		{"DateAdd dynamic bad interval", `DateAdd([i], 1, Now())`, attrs{"i": "days"}, nil, `DateAdd: unknown interval "days"`},
		{"DateAdd null date", `DateAdd("d", 1, [x])`, nil, nil, ""},
		{"DateDiff quarter", `DateDiff("q", "2024-03-31", "2024-04-01")`, nil, int64(1), ""},
		{"DateDiff centuries in seconds", `DateDiff("s", "1601-01-01", "2012-01-01T23:00:00Z")`, nil, int64(12969932400), ""},
		{"DateDiff truncates toward zero", `DateDiff("s", "2021-01-01T00:00:00.9Z", "2021-01-01T00:00:02.1Z")`, nil, int64(1), ""},
		{"DateDiff truncates negative", `DateDiff("s", "2021-01-01T00:00:02.1Z", "2021-01-01T00:00:00.9Z")`, nil, int64(-1), ""},
		{"DateAdd centuries of hours", `DateAdd("h", 3600000, "2000-01-01")`, nil, "9/8/2410 12:00:00 AM", ""},
		{"DateDiff weekday weeks", `DateDiff("w", CDate("8/25/2021 5:41:18 PM"), CDate("2012-03-16-07:00"))`, nil, int64(-492), ""},
		{"DateFromNum string", `DateFromNum("129699324000000000")`, nil, "1/1/2012 11:00:00 PM", ""},
		{"NumFromDate round trip", `NumFromDate(DateFromNum(129699324000000000))`, nil, int64(129699324000000000), ""},
		{"NumFromDate ISO", `NumFromDate("1601-01-01T00:00:00Z")`, nil, int64(0), ""},
		{"FormatDateTime of a DateTime", `FormatDateTime(Now(), , , "yyyy-MM-ddTHH:mm:ssK")`, nil, "2021-07-02T15:33:38Z", ""},
		{"FormatDateTime no match", `FormatDateTime("2021-13", , "yyyy-MM-dd", "yyyy")`, nil, nil, `FormatDateTime: "2021-13" does not match format "yyyy-MM-dd"`},
		{"FormatDateTime null", `FormatDateTime([d], , "yyyy", "yyyy")`, nil, nil, ""},
		{"IgnoreFlowIfNullOrEmpty value", `IgnoreFlowIfNullOrEmpty([department])`, attrs{"department": "Sales"}, "Sales", ""},
		{"IgnoreFlowIfNullOrEmpty empty", `IgnoreFlowIfNullOrEmpty([department])`, attrs{"department": ""}, nil, ""},
		{"IgnoreFlowIfNullOrEmpty empty list", `IgnoreFlowIfNullOrEmpty([p])`, attrs{"p": []string{}}, nil, ""},
		{"IIF null compares as empty", `IIF([country]="","Other",[country])`, nil, "Other", ""},
		{"IIF IsNullOrEmpty", `IIF(IsNullOrEmpty([country]),"Other",[country])`, attrs{"country": "DK"}, "DK", ""},
		{"IIF IsPresent", `IIF(IsPresent([country]),[country],"Other")`, nil, "Other", ""},
		{"IIF null condition", `IIF([flag], "a", "b")`, nil, nil, "IIF: condition [flag] is null"},
		{"IIF string condition", `IIF([flag], "a", "b")`, attrs{"flag": "False"}, "b", ""},
		{"IIF lazy branch", `IIF("true", "a", CDate("never"))`, nil, "a", ""},
		{"compare numbers", `IIF(Len([a]) > 10, "long", "short")`, attrs{"a": "abcdefghi"}, "short", ""},
		{"compare number with numeric string", `[n] >= 100`, attrs{"n": "99"}, false, ""},
		{"compare strings ordinally", `"99" >= "100"`, nil, true, ""},
		{"compare case-sensitive", `"a" = "A"`, nil, false, ""},
		{"compare not equal", `[a] <> "x"`, attrs{"a": "y"}, true, ""},
		{"compare bool with string", `[accountEnabled] = "true"`, attrs{"accountEnabled": true}, true, ""},
		{"compare string with bool", `"False" = [accountEnabled]`, attrs{"accountEnabled": true}, false, ""},
		{"compare dates", `CDate("2021-01-01") < "2021-01-02"`, nil, true, ""},
		{"compare multi-valued", `[p] = "a"`, attrs{"p": []string{"a"}}, nil, "comparison: [p] is multi-valued"},
		{"InStr text compare", `InStr("repEated","e",3,vbTextCompare)`, nil, int64(4), ""},
		{"InStr compare string", `InStr("ABC","b", , "vbTextCompare")`, nil, int64(2), ""},
		{"InStr not found", `InStr("abc","z")`, nil, int64(0), ""},
		{"InStr start past end", `InStr("abc","c",9)`, nil, int64(0), ""},
		{"InStr runes", `InStr("ÆØÅ x","x")`, nil, int64(5), ""},
		{"InStr start 0", `InStr("abc","c",0)`, nil, nil, "InStr: start 0 is less than 1"},
		{"InStr bad compare", `InStr("abc","c",1,7)`, nil, nil, "InStr: compareType 7"},
		{"InStr null", `InStr([a],"c")`, nil, nil, ""},
		{"IsNull empty is not null", `IsNull([a])`, attrs{"a": ""}, false, ""},
		{"IsNullOrEmpty value", `IsNullOrEmpty([a])`, attrs{"a": "x"}, false, ""},
		{"IsPresent empty", `IsPresent([a])`, attrs{"a": ""}, false, ""},
		{"IsString string", `IsString([a])`, attrs{"a": "x"}, true, ""},
		{"IsString bool", `IsString([a])`, attrs{"a": true}, false, ""},
		{"IsString DateTime", `IsString(Now())`, nil, true, ""},
		{"IsString null", `IsString([a])`, nil, false, ""},
		{"Item zero is first", `Item([proxyAddresses], 0)`, proxies, "SMTP:a@x", ""},
		{"Item last", `Item([proxyAddresses], 3)`, proxies, "smtp:a@y", ""},
		{"Item out of range", `Item([proxyAddresses], 4)`, proxies, nil, ""},
		{"Item negative", `Item([proxyAddresses], -1)`, proxies, nil, ""},
		{"Item single value", `Item([mail], 1)`, attrs{"mail": "m"}, "m", ""},
		{"Join multi-valued", `Join(";", [proxyAddresses], "z")`, proxies, "SMTP:a@x;smtp:b@x;smtp:a@y;z", ""},
		{"Join all null", `Join("@", [a], [b])`, nil, nil, ""},
		{"Join numbers", `Join("", 1000, "7")`, nil, "10007", ""},
		{"Join null separator", `Join([s], "a", "b")`, nil, "ab", ""},
		{"Join bool", `Join(",", [x] = "1", "z")`, attrs{"x": "1"}, "True,z", ""},
		{"Left zero", `Left("abc", 0)`, nil, "", ""},
		{"Left negative", `Left("abc", -1)`, nil, "abc", ""},
		{"Left null", `Left([x], 2)`, nil, "", ""},
		{"Left longer", `Left("abc", 10)`, nil, "abc", ""},
		{"Left runes", `Left("Ærø", 2)`, nil, "Ær", ""},
		{"Left multi-valued", `Left([proxyAddresses], 2)`, proxies, nil, "Left: [proxyAddresses] is multi-valued; use Join or Item"},
		{"Len null", `Len([x])`, nil, int64(0), ""},
		{"Len runes", `Len("Zoë")`, nil, int64(3), ""},
		{"Mid past end", `Mid("abc", 2, 10)`, nil, "bc", ""},
		{"Mid start past end", `Mid("abc", 5, 1)`, nil, "", ""},
		{"Mid start 0", `Mid("abc", 0, 1)`, nil, nil, "Mid: start 0 is less than 1"},
		{"Mid negative length", `Mid("abc", 1, -1)`, nil, nil, "Mid: length -1 is negative"},
		{"Mid null", `Mid([x], 1, 1)`, nil, nil, ""},
		{"Not bool", `Not([accountEnabled])`, attrs{"accountEnabled": true}, false, ""},
		{"Not string", `Not("False")`, nil, true, ""},
		{"Not null", `Not([x])`, nil, nil, ""},
		{"Not garbage", `Not("maybe")`, nil, nil, `Not: "maybe" is not a boolean`},
		{"PCase apostrophe", `PCase("o'NEIL mcdonald-SMITH")`, nil, "O'neil Mcdonald-Smith", ""},
		{"PCase null", `PCase([x])`, nil, nil, ""},
		{"RemoveDuplicates single", `RemoveDuplicates([a])`, attrs{"a": "x"}, "x", ""},
		{"RemoveDuplicates case-sensitive", `RemoveDuplicates([p])`, attrs{"p": []string{"SMTP:a", "smtp:a", "SMTP:a"}}, []string{"SMTP:a", "smtp:a"}, ""},
		{"Replace null source", `Replace([x], "a", , , "b", , )`, nil, nil, ""},
		{"Replace all occurrences", `Replace("a.b.c", ".", , , "-", , )`, nil, "a-b-c", ""},
		{"Replace trailing arguments omitted", `Replace("a.b", ".", , , "-")`, nil, "a-b", ""},
		{"Replace template {0}", `Replace([u], , , , , , "{0}@contoso.com")`, attrs{"u": "jo"}, "jo@contoso.com", ""},
		{"Replace dollar substitutions", `Replace("ab", , "(a)(b)", , "$2$1$&$$x$1b", , )`, nil, "baab$xab", ""},
		{"Replace dynamic pattern", `Replace("abc", , [re], , "X", , )`, attrs{"re": "[bc]"}, "aXX", ""},
		{"Replace dynamic bad pattern", `Replace("abc", , [re], , "X", , )`, attrs{"re": "("}, nil, "Replace: regexPattern: error parsing regexp"},
		{"Replace attribute absent", `Replace([t], , "(?<d>\\d+)", "d", , [m], )`, nil, nil, ""},
		{"Replace attribute no match", `Replace([t], , "(?<d>\\d+)", "d", , [m], )`, attrs{"m": "none"}, nil, ""},
		{"Replace empty oldValue", `Replace("abc", "", , , "x", , )`, nil, nil, "Replace: oldValue is empty"},
		{"Replace group every match", `Replace("a1b22c", , "(?<n>\\d+)", "n", "#", , )`, nil, "a#b#c", ""},
		{"SingleAppRoleAssignment string", `SingleAppRoleAssignment([r])`, attrs{"r": "User"}, "User", ""},
		{"SingleAppRoleAssignment none", `SingleAppRoleAssignment([r])`, nil, nil, ""},
		{"Split empty delimiter", `Split("a,b", "")`, nil, []string{"a,b"}, ""},
		{"Split keeps spaces", `Split("a, b", ",")`, nil, []string{"a", " b"}, ""},
		{"Split null", `Split([x], ",")`, nil, nil, ""},
		{"Switch null default", `Switch([a], , "1", "x")`, attrs{"a": "2"}, nil, ""},
		{"Switch case-sensitive", `Switch([a], "d", "yes", "x")`, attrs{"a": "YES"}, "d", ""},
		{"Switch bool source", `Switch(IsPresent([a]), "d", "True", "present", "False", "absent")`, nil, "absent", ""},
		{"Switch lazy values", `Switch("a", CDate("x"), "a", "ok", "b", CDate("y"))`, nil, "ok", ""},
		{"Switch multi-valued", `Switch([p], "d", "a", "x")`, attrs{"p": []string{"a"}}, nil, "Switch: [p] is multi-valued"},
		{"ToLower Turkish", `ToLower("DİYARBAKIR", "tr-TR")`, nil, "diyarbakır", ""},
		{"ToUpper Turkish", `ToUpper("istanbul", "tr")`, nil, "İSTANBUL", ""},
		{"ToUpper invariant", `ToUpper("istanbul", "en-US")`, nil, "ISTANBUL", ""},
		{"ToLower null", `ToLower([x])`, nil, nil, ""},
		{"ToLower multi-valued", `ToLower([proxyAddresses])`, proxies, nil, "ToLower: [proxyAddresses] is multi-valued; use Join or Item"},
		{"Word null", `Word([x], 1, " ")`, nil, "", ""},
		{"Word zero", `Word("a b", 0, " ")`, nil, "", ""},
		{"Word past end", `Word("a b", 3, " ")`, nil, "", ""},
		{"Word repeated delimiters", `Word("a,,b", 2, ",")`, nil, "b", ""},
		{"error in nested call", `Join(",", ToLower(CDate("x")))`, nil, nil, `CDate: "x" is not a date`},
		{"case-insensitive function names", `toupper(join(",", "a", "b"))`, nil, "A,B", ""},
	})
}

func TestSelectUniqueValue(t *testing.T) {
	src := `SelectUniqueValue(Join("@", [a], "x.com"), IgnoreFlowIfNullOrEmpty([b]), Join("@", Mid([c], 1, 1), "x.com"), Join("@", [c], "x.com"))`
	e, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		taken   map[string]bool
		fail    bool
		want    any
		wantErr error
		checked []string
	}{
		{"first free", nil, false, "alice@x.com", nil, []string{"alice@x.com"}},
		{"first taken", map[string]bool{"alice@x.com": true}, false, "c@x.com", nil, []string{"alice@x.com", "c@x.com"}},
		{"all taken", map[string]bool{"alice@x.com": true, "c@x.com": true, "carol@x.com": true}, false, nil, ErrNoUniqueValue,
			[]string{"alice@x.com", "c@x.com", "carol@x.com"}},
		{"check fails", nil, true, nil, errBoom, []string{"alice@x.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := attrs{"a": "alice", "c": "carol"}.env()
			var checked []string
			env.Taken = func(v string) (bool, error) {
				checked = append(checked, v)
				if tc.fail {
					return false, errBoom
				}
				return tc.taken[v], nil
			}
			got, _, err := e.Eval(env)
			if got != tc.want || !errors.Is(err, tc.wantErr) || fmt.Sprint(checked) != fmt.Sprint(tc.checked) {
				t.Errorf("Eval = %v, %v (checked %q), want %v, %v (checked %q)", got, err, checked, tc.want, tc.wantErr, tc.checked)
			}
		})
	}
}

var errBoom = errors.New("boom")

func TestRandomString(t *testing.T) {
	tests := []struct {
		name                               string
		src                                string
		length, digits, special, up, lower int
		avoid                              string
	}{
		{"numbers and lower", `RandomString(6,3,0,0,3)`, 6, 3, 0, 0, 3, ""},
		{"with specials", `RandomString(10,2,2,2,1,"?,")`, 10, 2, 2, 2, 1, "?,"},
		{"max length", `RandomString(256,0,0,0,0)`, 256, 0, 0, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := Eval(tc.src, attrs{}.env())
			if err != nil {
				t.Fatalf("Eval(%s) = %v", tc.src, err)
			}
			s := got.(string)
			var d, sp, up, lo int
			for _, r := range s {
				switch {
				case unicode.IsDigit(r):
					d++
				case unicode.IsUpper(r):
					up++
				case unicode.IsLower(r):
					lo++
				default:
					sp++
				}
			}
			if len(s) != tc.length || d < tc.digits || sp < tc.special || up < tc.up || lo < tc.lower || strings.ContainsAny(s, tc.avoid) {
				t.Errorf("Eval(%s) = %q, want length %d with at least %d/%d/%d/%d digits/special/upper/lower without %q",
					tc.src, s, tc.length, tc.digits, tc.special, tc.up, tc.lower, tc.avoid)
			}
			if tc.special == 0 && tc.digits+tc.lower == tc.length && (sp > 0 || up > 0) {
				t.Errorf("Eval(%s) = %q, want only digits and lower case", tc.src, s)
			}
			again, _, _ := Eval(tc.src, attrs{}.env())
			if again != got {
				t.Errorf("Eval(%s) twice from the same Rand = %q, %q, want equal", tc.src, got, again)
			}
		})
	}
	runEval(t, []evalCase{
		{"too long", `RandomString(257,0,0,0,0)`, nil, nil, "RandomString: length 257: want 1 to 256"},
		{"minimums too many", `RandomString(3,2,2,0,0)`, nil, nil, "the minimums add up to 4, more than length 3"},
		{"nothing left", `RandomString(3,1,0,0,0,"0123456789")`, nil, nil, "CharactersToAvoid leaves no characters"},
		{"negative", `RandomString(3,-1,0,0,0)`, nil, nil, "-1 must be a number 0 or more"},
	})
}

func TestGuidUsesEnvRand(t *testing.T) {
	a, _, _ := Eval(`Guid()`, attrs{}.env())
	b, _, err := Eval(`Guid()`, nil)
	if err != nil || a == b || len(b.(string)) != 36 {
		t.Errorf("Guid() = %v and %v (%v), want two different GUIDs", a, b, err)
	}
}

func TestNormalizeDiacritics(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain ascii", "plain ascii"},
		{"äàâãåáąăā ÄÀÂÃÅÁĄĂĀ", "aaaaaaaaa AAAAAAAAA"},
		{"ā́ ǟ ǡ å̄", "a a a a"},
		{"æǣ ÆǢ", "aeae AEAE"},
		{"çčć ÇČĆ ďḏ ĎḎ", "ccc CCC dd DD"},
		{"ëèéêęěėēḗḕ", "eeeeeeeeee"},
		{"ğḡ ïîìíıī İ", "gg iiiiii I"},
		{"ľłḹḻ ŁĽ ñńňṉ ÑŃŇ", "llll LL nnnn NNN"},
		{"öòőõôóōṓṑȫǭȭȱ", "ooooooooooooo"},
		{"øœ̄ ØŒ̄", "oeoe OEOE"},
		{"řṟṝ ß šśșş ťț", "rrr ss ssss tt"},
		{"üùûúůűūǖṻ ÿýȳ źžżẕ", "uuuuuuuuu yyy zzzz"},
		{"Zoë Ødegård Łukasz", "Zoe OEdegard Lukasz"},
		{"Ελληνικά и кириллица й 日本", "Ελληνικά и кириллица й 日本"},
	}
	for _, tc := range tests {
		if got := normalizeDiacritics(tc.in); got != tc.want {
			t.Errorf("normalizeDiacritics(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDotNetFormats(t *testing.T) {
	at := time.Date(2009, 6, 5, 13, 4, 5, 120_000_000, time.UTC)
	formats := []struct{ format, want string }{
		{"yyyy-MM-dd HH:mm:ss", "2009-06-05 13:04:05"},
		{"yy y M d H h m s", "09 9 6 5 13 1 4 5"},
		{"M/d/yyyy h:mm:ss tt", "6/5/2009 1:04:05 PM"},
		{"hh t", "01 P"},
		{"MMM MMMM ddd dddd", "Jun June Fri Friday"},
		{"ss.fff ss.FFF ss.ff", "05.120 05.12 05.12"},
		{"ss.FFFF'Z'", "05.12Z"},
		{"zzz zz z K", "+00:00 +00 +0 Z"},
		{`'yyyy' "MM" \d%d`, "yyyy MM d5"},
		{"yyyyMMddHHmmss.0Z", "20090605130405.0Z"},
	}
	for _, tc := range formats {
		got, err := formatDotNet(at, tc.format)
		if err != nil || got != tc.want {
			t.Errorf("formatDotNet(%s) = %q, %v, want %q", tc.format, got, err, tc.want)
		}
	}
	whole := time.Date(2009, 6, 5, 13, 4, 5, 0, time.UTC)
	if got, _ := formatDotNet(whole, "HH:mm:ss.FFF"); got != "13:04:05" {
		t.Errorf("formatDotNet(whole second, HH:mm:ss.FFF) = %q, want 13:04:05 (the dot dropped)", got)
	}

	parses := []struct {
		in, format string
		want       time.Time // zero: error
	}{
		{"20150123105347.1Z", "yyyyMMddHHmmss.fZ", time.Date(2015, 1, 23, 10, 53, 47, 100_000_000, time.UTC)},
		{"2020-12-31-08:00", "yyyy-MM-ddzzz", time.Date(2020, 12, 31, 8, 0, 0, 0, time.UTC)},
		{" 12/31/2020 12:30:00 AM ", "M/d/yyyy hh:mm:ss tt", time.Date(2020, 12, 31, 0, 30, 0, 0, time.UTC)},
		{"1/2/2020 1:05:09 PM", "M/d/yyyy h:mm:ss tt", time.Date(2020, 1, 2, 13, 5, 9, 0, time.UTC)},
		{"05-Jun-49", "dd-MMM-yy", time.Date(2049, 6, 5, 0, 0, 0, 0, time.UTC)},
		{"05-june-50", "dd-MMMM-yy", time.Date(1950, 6, 5, 0, 0, 0, 0, time.UTC)},
		{"2021-03-04T05:06:07+02", "yyyy-MM-ddTHH:mm:sszz", time.Date(2021, 3, 4, 3, 6, 7, 0, time.UTC)},
		{"2021-03-04T05:06:07Z", "yyyy-MM-ddTHH:mm:ssK", time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)},
		{"2021-03-04T05:06:07", "yyyy-MM-ddTHH:mm:ssK", time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)},
		{"2021-02-30", "yyyy-MM-dd", time.Time{}},
		{"2021-1-01", "yyyy-MM-dd", time.Time{}},
		{"2021-01-01x", "yyyy-MM-dd", time.Time{}},
		{"13:00 PM", "hh:mm tt", time.Time{}},
	}
	for _, tc := range parses {
		got, err := parseDotNet(tc.in, tc.format)
		if tc.want.IsZero() != (err != nil) || err == nil && !got.Equal(tc.want) {
			t.Errorf("parseDotNet(%q, %q) = %v, %v, want %v", tc.in, tc.format, got, err, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2022-11-01T00:00:00Z", time.Date(2022, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"2022-11-01T10:00:00.5+01:00", time.Date(2022, 11, 1, 9, 0, 0, 500_000_000, time.UTC)},
		{"2022-11-01 10:00:00", time.Date(2022, 11, 1, 10, 0, 0, 0, time.UTC)},
		{"2022-11-01", time.Date(2022, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"2020-03-16-07:00", time.Date(2020, 3, 16, 7, 0, 0, 0, time.UTC)},
		{"7/2/2021 3:33:38 PM", time.Date(2021, 7, 2, 15, 33, 38, 0, time.UTC)},
		{"20150123105347.0Z", time.Date(2015, 1, 23, 10, 53, 47, 0, time.UTC)},
	}
	for _, tc := range tests {
		if got, err := parseDate(tc.in); err != nil || !got.Equal(tc.want) {
			t.Errorf("parseDate(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
	if got, err := parseDate("yesterday"); err == nil {
		t.Errorf("parseDate(yesterday) = %v, want an error", got)
	}
}
