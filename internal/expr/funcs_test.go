package expr

import (
	"reflect"
	"strings"
	"testing"
)

// evalCase is one evaluation: src against in gives want (nil: null) or
// an error containing wantErr.
type evalCase struct {
	name    string
	src     string
	in      attrs
	want    any
	wantErr string
}

func runEval(t *testing.T, tests []evalCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse(%s) = %v", tc.src, err)
			}
			got, ok, err := e.Eval(tc.in.env())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Eval(%s) = %#v, %v, want error %q", tc.src, got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Eval(%s) = error %v, want %#v", tc.src, err, tc.want)
			}
			if ok != (tc.want != nil) || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Eval(%s) = %#v (ok %v), want %#v", tc.src, got, ok, tc.want)
			}
		})
	}
}

// Examples from Entra's "Reference for writing expressions for attribute
// mappings", one or more per function, then edge cases.
func TestFunctionsDocumented(t *testing.T) {
	runEval(t, []evalCase{
		{"Append", `Append([userPrincipalName], ".test")`, attrs{"userPrincipalName": "John.Doe@contoso.com"}, "John.Doe@contoso.com.test", ""},
		{"BitAnd hex", `BitAnd(&HF, &HF7)`, nil, int64(7), ""},
		{"CBool equal attributes", `CBool([attribute1] = [attribute2])`, attrs{"attribute1": "x", "attribute2": "x"}, true, ""},
		{"CDate date with offset", `CDate([StatusHireDate])`, attrs{"StatusHireDate": "2020-03-16-07:00"}, "3/16/2020 7:00:00 AM", ""},
		{"CDate positive offset", `CDate("2021-06-30+08:00")`, nil, "6/29/2021 4:00:00 PM", ""},
		{"CDate date time offset", `CDate("2009-06-15T01:45:30-07:00")`, nil, "6/15/2009 8:45:30 AM", ""},
		{"Coalesce", `Coalesce([mail],[userPrincipalName])`, attrs{"userPrincipalName": "John.Doe@contoso.com"}, "John.Doe@contoso.com", ""},
		{"ConvertToBase64", `ConvertToBase64("Hello world!")`, nil, "SABlAGwAbABvACAAdwBvAHIAbABkACEA", ""},
		{"ConvertToUTF8Hex", `ConvertToUTF8Hex("Hello world!")`, nil, "48656C6C6F20776F726C6421", ""},
		{"CStr", `CStr([dn])`, attrs{"dn": "cn=Joe,dc=contoso,dc=com"}, "cn=Joe,dc=contoso,dc=com", ""},
		{"DateAdd 7 days", `DateAdd("d", 7, CDate([StatusHireDate]))`, attrs{"StatusHireDate": "2012-03-16-07:00"}, "3/23/2012 7:00:00 AM", ""},
		{"DateAdd -10 days", `DateAdd("d", -10, CDate([StatusHireDate]))`, attrs{"StatusHireDate": "2012-03-16-07:00"}, "3/6/2012 7:00:00 AM", ""},
		{"DateAdd 2 weeks", `DateAdd("ww", 2, CDate([StatusHireDate]))`, attrs{"StatusHireDate": "2012-03-16-07:00"}, "3/30/2012 7:00:00 AM", ""},
		{"DateAdd 10 months", `DateAdd("m", 10, CDate([StatusHireDate]))`, attrs{"StatusHireDate": "2012-03-16-07:00"}, "1/16/2013 7:00:00 AM", ""},
		{"DateAdd 2 years", `DateAdd("yyyy", 2, CDate([StatusHireDate]))`, attrs{"StatusHireDate": "2012-03-16-07:00"}, "3/16/2014 7:00:00 AM", ""},
		{"DateDiff days positive", `DateDiff("d", CDate("2021-08-18+08:00"), CDate("2021-08-31+08:00"))`, nil, int64(13), ""},
		{"DateDiff days negative", `DateDiff("d", CDate("8/25/2021 5:41:18 PM"), CDate("2012-03-16-07:00"))`, nil, int64(-3449), ""},
		{"DateDiff weeks", `DateDiff("ww", CDate("8/25/2021 5:41:18 PM"), CDate("2012-03-16-07:00"))`, nil, int64(-493), ""},
		{"DateDiff months", `DateDiff("m", CDate("8/25/2021 5:41:18 PM"), CDate("2012-03-16-07:00"))`, nil, int64(-113), ""},
		{"DateDiff years", `DateDiff("yyyy", CDate("8/25/2021 5:41:18 PM"), CDate("2012-03-16-07:00"))`, nil, int64(-9), ""},
		{"DateDiff same", `DateDiff("d", CDate("2021-08-31+08:00"), CDate("2021-08-31+08:00"))`, nil, int64(0), ""},
		{"DateDiff hours", `DateDiff("h", CDate("2021-08-24"), CDate("2021-08-25"))`, nil, int64(24), ""},
		{"DateDiff minutes", `DateDiff("n", CDate("2021-08-24"), CDate("2021-08-25"))`, nil, int64(1440), ""},
		{"DateDiff seconds", `DateDiff("s", CDate("2021-08-24"), CDate("2021-08-25"))`, nil, int64(86400), ""},
		{"DateDiff in IIF in Switch", `Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), "0", "False")`,
			attrs{"Active": "1", "StatusHireDate": "2021-07-05"}, "True", ""},
		{"DateFromNum", `DateFromNum(129699324000000000)`, nil, "1/1/2012 11:00:00 PM", ""},
		{"FormatDateTime generalized time", `FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")`,
			attrs{"extensionAttribute1": "20150123105347.1Z"}, "2015-01-23", ""},
		{"Guid", `Guid()`, nil, "0701c821-5bfa-4240-8701-c8215bfa1240", ""},
		{"IgnoreFlowIfNullOrEmpty null", `IgnoreFlowIfNullOrEmpty([department])`, nil, nil, ""},
		{"IgnoreFlowIfNullOrEmpty Switch empty", `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))`,
			attrs{"prefix": "1"}, nil, ""},
		{"IgnoreFlowIfNullOrEmpty Switch match", `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))`,
			attrs{"prefix": "3444"}, "Prof.", ""},
		{"IIF true", `IIF([country]="USA",[country],[department])`, attrs{"country": "USA", "department": "Sales"}, "USA", ""},
		{"IIF false", `IIF([country]="USA",[country],[department])`, attrs{"country": "FR", "department": "Sales"}, "Sales", ""},
		{"IIF nested AND", `IIF([country]="USA",IIF([state]="CA","True","False"),"False")`, attrs{"country": "USA", "state": "CA"}, "True", ""},
		{"IIF nested OR", `IIF([country]="USA","True",IIF([state]="CA","True","False"))`, attrs{"country": "DK", "state": "CA"}, "True", ""},
		{"InStr", `InStr("The quick brown fox","quick")`, nil, int64(5), ""},
		{"InStr binary from 3", `InStr("repEated","e",3,vbBinaryCompare)`, nil, int64(7), ""},
		{"IsNull", `IsNull([displayName])`, nil, true, ""},
		{"IsNullOrEmpty empty", `IsNullOrEmpty([displayName])`, attrs{"displayName": ""}, true, ""},
		{"IsPresent", `IsPresent([directManager])`, attrs{"directManager": "boss"}, true, ""},
		{"Item first", `Item([proxyAddresses], 1)`, attrs{"proxyAddresses": []string{"SMTP:a@x", "smtp:b@x"}}, "SMTP:a@x", ""},
		{"Join comma", `Join(", ", "", [surname], [givenName])`, attrs{"givenName": "John", "surname": "Doe"}, "Doe, John", ""},
		{"Left", `Left("John Doe", 3)`, nil, "Joh", ""},
		{"Len", `Len("John Doe")`, nil, int64(8), ""},
		{"Len number", `Len(42568)`, nil, int64(5), ""},
		{"Len alias short", `IIF(Len([LastName]) <= 5, Left(Join ("",[LastName],[FirstName]),10), Join("", Mid([LastName],1,9), Mid([FirstName],1,1)))`,
			attrs{"FirstName": "John", "LastName": "Smith"}, "SmithJohn", ""},
		{"Len alias long", `IIF(Len([LastName]) <= 5, Left(Join ("",[LastName],[FirstName]),10), Join("", Mid([LastName],1,9), Mid([FirstName],1,1)))`,
			attrs{"FirstName": "John", "LastName": "Parker"}, "ParkerJ", ""},
		{"Mid alias", `Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))`, attrs{"givenName": "John", "surname": "Doe"}, "JohDoe", ""},
		{"NormalizeDiacritics", `NormalizeDiacritics([givenName])`, attrs{"givenName": "Zoë"}, "Zoe", ""},
		{"Now", `Now()`, nil, "7/2/2021 3:33:38 PM", ""},
		{"NumFromDate Workday", `NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))`,
			attrs{"ContractEndDate": "2020-12-31-08:00"}, int64(132539615990000000), ""},
		{"NumFromDate SuccessFactors", `NumFromDate(Join("",FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")," 23:59:59-08:00"))`,
			attrs{"endDate": "12/31/2020 10:00:00 AM"}, int64(132539615990000000), ""},
		{"PCase default", `PCase([firstName])`, attrs{"firstName": "PABLO GONSALVES (SECOND)"}, "Pablo Gonsalves (Second)", ""},
		{"PCase separators", `PCase([lastName]," '-")`, attrs{"lastName": "PINTO-DE'SILVA"}, "Pinto-De'Silva", ""},
		{"PCase Join", `PCase(Join(" ",[firstName],[lastName]))`, attrs{"firstName": "GREGORY", "lastName": "JAMES"}, "Gregory James", ""},
		{"Redact", `Redact([userPrincipalName])`, attrs{"userPrincipalName": "a@b"}, "a@b", ""},
		{"RemoveDuplicates", `RemoveDuplicates([proxyAddresses])`, attrs{"proxyAddresses": []string{"a", "b", "a"}}, []string{"a", "b"}, ""},
		{"Replace literal", `Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )`,
			attrs{"BusinessTitle": "Product Developer"}, "Software Engineer", ""},
		{"Replace template", `Replace([UserID],"<username>", , , , , "<username>@contoso.com")`, attrs{"UserID": "jsmith"}, "jsmith@contoso.com", ""},
		{"Replace regex groups", `Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , "${phoneNumber}", , )`,
			attrs{"telephoneNumber": "+91 9998887777"}, "9998887777", ""},
		{"Replace regex collapse", `Replace([mobile], , "[()\\s-]+", , "", , )`, attrs{"mobile": "+1 (999) 888-7777"}, "+19998887777", ""},
		{"Replace group value", `Replace([AddressLineData], ,"(?<streetNumber>^\\d*)","streetNumber", "888", , )`,
			attrs{"AddressLineData": "545 Tremont Street"}, "888 Tremont Street", ""},
		{"Replace group suffix", `Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )`,
			attrs{"userPrincipalName": "jsmith@contoso.com"}, "jsmith", ""},
		{"Replace attribute fallback", `Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", "phoneNumber" , , [mobile], )`,
			attrs{"telephoneNumber": "", "mobile": "+91 8887779999"}, "8887779999", ""},
		{"Replace attribute source kept", `Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", "phoneNumber" , , [mobile], )`,
			attrs{"telephoneNumber": "+45 1234", "mobile": "+91 8887779999"}, "+45 1234", ""},
		{"Replace remove letters", `Replace([mailNickname], , "[a-zA-Z_]*", , "", , )`, attrs{"mailNickname": "john_doe72"}, "72", ""},
		{"Replace strip domain", `Replace([mail], "@contoso.com", , ,"", ,)`, attrs{"mail": "john.doe@contoso.com"}, "john.doe", ""},
		{"SelectUniqueValue first", `SelectUniqueValue(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"), Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"))`,
			attrs{"PreferredFirstName": "John", "PreferredLastName": "Smith"}, "John.Smith@contoso.com", ""},
		{"SingleAppRoleAssignment", `SingleAppRoleAssignment([appRoleAssignments])`, attrs{"appRoleAssignments": []string{"Admin", "User"}}, "Admin", ""},
		{"AppRoleAssignmentsComplex", `AppRoleAssignmentsComplex([appRoleAssignments])`, attrs{"appRoleAssignments": []string{"Admin"}},
			[]map[string]any{{"primary": false, "type": "WindowsAzureActiveDirectoryRole", "display": "Admin", "value": "Admin"}}, ""},
		{"AssertiveAppRoleAssignmentsComplex none", `AssertiveAppRoleAssignmentsComplex([appRoleAssignments])`, attrs{"appRoleAssignments": []string{}}, nil, ""},
		{"Split", `Split([extensionAttribute5], ",")`, attrs{"extensionAttribute5": "PermissionSetOne,PermissionSetTwo"}, []string{"PermissionSetOne", "PermissionSetTwo"}, ""},
		{"StripSpaces", `StripSpaces(" a b  c ")`, nil, "abc", ""},
		{"Switch", `Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")`,
			attrs{"state": "QLD"}, "Australia/Brisbane", ""},
		{"Switch default", `Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane")`, attrs{"state": "WA"}, "Australia/Sydney", ""},
		{"Switch ToLower", `Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")`, attrs{"statusFlag": "TRUE"}, "1", ""},
		{"Switch empty key", `Switch([statusFlag], "Default Value", "true", "1", "", "0")`, nil, "0", ""},
		{"Switch fallback idiom", `Switch([country],[country],"","Other")`, attrs{"country": "DK"}, "DK", ""},
		{"ToLower UPN", `ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))`,
			attrs{"PreferredFirstName": "John", "PreferredLastName": "Smith"}, "john.smith@contoso.com", ""},
		{"ToUpper", `ToUpper("abc")`, nil, "ABC", ""},
		{"Word", `Word("The quick brown fox",3," ")`, nil, "brown", ""},
		{"Word separators", `Word("This,string!has&many separators",3,",!&#")`, nil, "has", ""},
		{"Append SMTP", `Append("SMTP:", Join("@", Join(".", [givenName], [surname]), "contoso.com"))`,
			attrs{"givenName": "John", "surname": "Doe"}, "SMTP:John.Doe@contoso.com", ""},
		{"Split Join proxyAddresses", `Split(Join(",", Append("smtp:", Join("@", NormalizeDiacritics(StripSpaces(Join(".", [givenName], [surname]))), "contoso.onmicrosoft.com")), Append("SMTP:", Join("@", NormalizeDiacritics(StripSpaces(Join(".", [givenName], [surname]))), "contoso.com"))), ",")`,
			attrs{"givenName": "John", "surname": "Doe"}, []string{"smtp:John.Doe@contoso.onmicrosoft.com", "SMTP:John.Doe@contoso.com"}, ""},
	})
}
