using System.Text.Json;
using LockboxPortal.Authorization;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>Each audit-service operation, and the entry it leaves in the trail.</summary>
public sealed class AuditServiceTests
{
    private static readonly System.Security.Claims.ClaimsPrincipal Admin = ServiceHarness.As(Cast.Admin);

    private static AuditService Service(ServiceHarness harness) => harness.Services.GetRequiredService<AuditService>();

    private static async Task<AuditEntry> LastEntryAsync(ServiceHarness harness, Guid chainId)
    {
        await using var db = harness.NewContext();
        return await db.AuditEntries.AsNoTracking().Where(e => e.ChainId == chainId).OrderByDescending(e => e.Sequence).FirstAsync();
    }

    [Fact]
    public async Task ListReadableChains_GivesEachPersonOnlyTheirChains()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var audit = Service(harness);

        Assert.Equal([harness.Contoso], (await audit.ListReadableChainsAsync(ServiceHarness.ContosoOfficer)).Select(c => c.TenantId));
        Assert.Equal([harness.Northwind], (await audit.ListReadableChainsAsync(ServiceHarness.As(Cast.NorthwindOfficer))).Select(c => c.TenantId));
        Assert.Equal([null], (await audit.ListReadableChainsAsync(Admin)).Select(c => c.TenantId));
        Assert.Empty(await audit.ListReadableChainsAsync(ServiceHarness.Approver1));
        Assert.Empty(await audit.ListReadableChainsAsync(ServiceHarness.Engineer));
    }

    [Fact]
    public async Task Export_RecordsAnExportedEntryNamingFormatAndFilters()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);
        var client = new ClientInfo("192.0.2.7", "browser/1");

        var job = await Service(harness).StartExportAsync(
            ServiceHarness.ContosoOfficer, new AuditQuery(harness.Contoso) { Actor = "Olga" }, AuditExportFormat.Csv, client);

        var entry = await LastEntryAsync(harness, harness.Contoso);
        Assert.Equal((AuditEventType.Audit_Exported, Cast.ContosoOfficer, "AuditTrail", harness.Contoso.ToString(), "192.0.2.7", "browser/1"),
            (entry.EventType, entry.ActorId, entry.SubjectType, entry.SubjectId, entry.ClientAddress, entry.UserAgent));
        using var details = JsonDocument.Parse(entry.DetailsJson);
        Assert.Equal("Csv", details.RootElement.GetProperty("format").GetString());
        Assert.Equal("Olga", details.RootElement.GetProperty("actor").GetString());
        Assert.Equal(3, details.RootElement.GetProperty("upToSequence").GetInt64());
        Assert.EndsWith(".csv", job.FileName);

        // The export covers the chain as it stood when it was asked for, not its own record.
        var output = new StringWriter();
        await job.WriteAsync(output, CancellationToken.None);
        Assert.Equal(4, output.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Verify_ReportsTheResultAndRecordsAVerifiedEntry()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, null, 4);

        var result = await Service(harness).VerifyAsync(Admin, null);

        Assert.Equal("intact, 4 entries", result.ToString());
        var entry = await LastEntryAsync(harness, AuditEntry.ProviderChain);
        Assert.Equal((5L, AuditEventType.Audit_Verified, Cast.Admin, "provider"), (entry.Sequence, entry.EventType, entry.ActorId, entry.SubjectId));
        using var details = JsonDocument.Parse(entry.DetailsJson);
        Assert.True(details.RootElement.GetProperty("intact").GetBoolean());
        Assert.Equal(4, details.RootElement.GetProperty("entries").GetInt64());
    }

    [Fact]
    public async Task Verify_BrokenChain_RecordsWhereItBroke()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 4);
        await AuditTestData.DropGuardsAsync(harness);
        await AuditTestData.ChangeDetailsAsync(harness, harness.Contoso, 2, "{}");

        var result = await Service(harness).VerifyAsync(ServiceHarness.ContosoOfficer, harness.Contoso);

        Assert.Equal(2, result.Break?.Sequence);
        using var details = JsonDocument.Parse((await LastEntryAsync(harness, harness.Contoso)).DetailsJson);
        Assert.False(details.RootElement.GetProperty("intact").GetBoolean());
        Assert.Equal(2, details.RootElement.GetProperty("brokenAt").GetInt64());
        Assert.Equal("Changed", details.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Query_PagesNewestFirstWithKeysets()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 120);
        var audit = Service(harness);
        var query = new AuditQuery(harness.Contoso);

        var newest = await audit.QueryAsync(ServiceHarness.ContosoOfficer, query, new AuditPageRequest(Size: 50));
        var older = await audit.QueryAsync(ServiceHarness.ContosoOfficer, query, new AuditPageRequest(Before: newest.Entries[^1].Sequence, Size: 50));
        var oldest = await audit.QueryAsync(ServiceHarness.ContosoOfficer, query, new AuditPageRequest(Before: older.Entries[^1].Sequence, Size: 50));
        var backAgain = await audit.QueryAsync(ServiceHarness.ContosoOfficer, query, new AuditPageRequest(After: oldest.Entries[0].Sequence, Size: 50));

        Assert.Equal((120L, 71L, true, false), (newest.Entries[0].Sequence, newest.Entries[^1].Sequence, newest.HasOlder, newest.HasNewer));
        Assert.Equal((70L, 21L, true, true), (older.Entries[0].Sequence, older.Entries[^1].Sequence, older.HasOlder, older.HasNewer));
        Assert.Equal((20L, 1L, false, true), (oldest.Entries[0].Sequence, oldest.Entries[^1].Sequence, oldest.HasOlder, oldest.HasNewer));
        Assert.Equal(older.Entries.Select(e => e.Sequence), backAgain.Entries.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Query_FiltersByTimeEventTypeActorAndRequestReference()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");
        var before = harness.Time.GetUtcNow();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 5, actorName: "Olga Officer");
        await harness.Requests.FileAsync(ServiceHarness.Engineer2, harness.ValidInput());
        var audit = Service(harness);

        async Task<List<long>> Sequences(AuditQuery query) =>
            (await audit.QueryAsync(ServiceHarness.ContosoOfficer, query, new AuditPageRequest())).Entries.Select(e => e.Sequence).ToList();

        var all = new AuditQuery(harness.Contoso);
        Assert.Equal([8, 1], await Sequences(all with { EventType = AuditEventType.AccessRequest_Filed }));
        Assert.Equal([7, 6, 5, 4, 3], await Sequences(all with { Actor = "olga" }));
        Assert.Equal([2], await Sequences(all with { Actor = Cast.Manager }));
        Assert.Equal([2, 1], await Sequences(all with { RequestReference = filed.Reference }));
        Assert.Equal([8, 7, 6, 5, 4, 3], await Sequences(all with { From = before.AddTicks(1) }));
        Assert.Equal([2, 1], await Sequences(all with { To = before.AddTicks(1) }));
        Assert.Empty(await Sequences(all with { RequestReference = "LBX-1999-000001" }));
        Assert.Empty(await Sequences(all with { Actor = "%" }));
    }

    [Fact]
    public async Task RequestTimeline_ListsTheRequestsEntriesInOrder()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var approved = await harness.ApprovedAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => harness.Requests.CancelAsync(ServiceHarness.Engineer2, approved.Id));

        var timeline = (await Service(harness).RequestTimelineAsync(ServiceHarness.Engineer, approved.Id))!;

        Assert.Equal(
            [AuditEventType.AccessRequest_Filed, AuditEventType.AccessRequest_InternalApproved, AuditEventType.AccessRequest_CustomerApproved, AuditEventType.Grant_Opened],
            timeline.Select(e => e.EventType));
        Assert.Equal(["Filed by engineer for customer-initiated support", "Provider approved by manager", "Customer approved by approver1", "Access granted"],
            timeline.Select(e => RequestHistoryItem.From(e).Text));
        Assert.Equal("go ahead", RequestHistoryItem.From(timeline[2]).Comment);
        Assert.Null(RequestHistoryItem.From(timeline[0]).Comment); // the reason code is in the line's words, not a typed comment
    }

    [Fact]
    public async Task RequestTimeline_ForSomeoneWhoMayNotSeeTheRequest_IsNull()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        var audit = Service(harness);

        Assert.Null(await audit.RequestTimelineAsync(ServiceHarness.Engineer2, filed.Id));
        Assert.Null(await audit.RequestTimelineAsync(ServiceHarness.As(Cast.NorthwindOfficer), filed.Id));
        Assert.Null(await audit.RequestTimelineAsync(ServiceHarness.ContosoOfficer, Guid.NewGuid()));
        Assert.Single((await audit.RequestTimelineAsync(ServiceHarness.ContosoOfficer, filed.Id))!);
    }

    [Fact]
    public async Task NotSignedIn_IsRefusedWithoutARecord()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        await Assert.ThrowsAsync<ForbiddenException>(() => Service(harness).QueryAsync(new(), new AuditQuery(harness.Contoso), new AuditPageRequest()));

        Assert.Empty(await harness.AuditAsync());
    }
}
