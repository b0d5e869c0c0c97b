using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Tests.AccessRequests;

public sealed class RequestCsvTests
{
    [Fact]
    public void Csv_HasAHeaderAndOneLinePerRequest_InWordsAndUtc()
    {
        var csv = RequestCsv.Write([new RequestRow(RequestBuilder.Filed(), "Contoso")]);

        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("Reference,Tenant,Requester,Scope,Access,Status,", lines[0], StringComparison.Ordinal);
        Assert.Equal(
            "LBX-2026-000001,Contoso,Erin Engineer,Exchange:mailbox/ana@contoso.com,Read,Awaiting manager,2026-03-02T09:00:00Z,2026-03-02T21:00:00Z,,SR-1,Customer reports missing calendar items.,Customer-initiated support,,",
            lines[1]);
    }

    [Theory]
    [InlineData("Contoso, Ltd", "\"Contoso, Ltd\"")]
    [InlineData("Say \"hi\"", "\"Say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("+1", "'+1")]
    public void TypedText_IsQuoted_AndNeverRunsAsAFormula(string tenantName, string expected)
    {
        var csv = RequestCsv.Write([new RequestRow(RequestBuilder.Filed(), tenantName)]);

        var line = csv.Split("\r\n")[1];
        Assert.StartsWith($"LBX-2026-000001,{expected},", line, StringComparison.Ordinal);
    }
}
