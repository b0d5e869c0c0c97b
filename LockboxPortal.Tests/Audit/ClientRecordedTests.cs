using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>
/// Every audited operation says where it came from: the address and user agent of the HTTP request or circuit it ran
/// in, even where the service builds its record without one; operations of the timer name no client.
/// </summary>
public sealed class ClientRecordedTests(ClientRecordedTests.RealPortApi portal) : IClassFixture<ClientRecordedTests.RealPortApi>
{
    private const string Agent = "lockbox-tooling/2.1";

    [Fact]
    public async Task ApiOperations_FileDecideAndRevoke_RecordTheCallersAddressAndUserAgent_OnEveryEntry()
    {
        var id = await FileAsync();
        await DecideAsync(ApiPortalFixture.Manager, id);
        await DecideAsync(ApiPortalFixture.Approver1, id);
        using var officer = portal.Caller(ApiPortalFixture.ContosoOfficer);
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsJsonAsync($"/api/v1/requests/{id}/revoke", new { reason = "The case is closed." })).StatusCode);

        await using var db = portal.NewContext();
        var entries = await db.AuditEntries.AsNoTracking().Where(e => e.SubjectId == id.ToString()).ToListAsync();
        Assert.Superset(
            new HashSet<AuditEventType>
            {
                AuditEventType.AccessRequest_Filed, AuditEventType.AccessRequest_InternalApproved,
                AuditEventType.AccessRequest_CustomerApproved, AuditEventType.Grant_Revoked,
            },
            entries.Select(e => e.EventType).ToHashSet());
        Assert.All(entries, entry =>
        {
            Assert.Equal("127.0.0.1", entry.ClientAddress);
            Assert.Equal(Agent, entry.UserAgent);
        });
    }

    [Fact]
    public async Task ApiRefusal_RecordsTheCallersAddressAndUserAgent()
    {
        var id = await FileAsync();

        using var engineer2 = portal.Caller(ApiPortalFixture.Engineer2);
        Assert.NotEqual(HttpStatusCode.OK, (await engineer2.PostAsync($"/api/v1/requests/{id}/cancel", null)).StatusCode);

        await using var db = portal.NewContext();
        var refusal = await db.AuditEntries.AsNoTracking()
            .SingleAsync(e => e.SubjectId == id.ToString() && e.EventType == AuditEventType.Operation_Refused);
        Assert.Equal("127.0.0.1", refusal.ClientAddress);
        Assert.Equal(Agent, refusal.UserAgent);
    }

    [Fact]
    public async Task TimerTransition_NamesNoClient_WhileTheFilingBeforeItNamesOne()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        Guid id;
        DateTimeOffset expiresAt;
        await using (var scope = harness.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<LockboxPortal.Common.ClientContext>().Current = new LockboxPortal.Common.ClientInfo("10.1.2.3", Agent);
            var filed = await scope.ServiceProvider.GetRequiredService<AccessRequestService>().FileAsync(ServiceHarness.Engineer, harness.ValidInput());
            (id, expiresAt) = (filed.Id, filed.ExpiresAt);
        }

        Assert.Equal(1, await harness.Timer.RunOnceAsync(expiresAt));

        var entries = await harness.AuditAsync(id);
        var filing = Assert.Single(entries, e => e.EventType == AuditEventType.AccessRequest_Filed);
        Assert.Equal(("10.1.2.3", Agent), (filing.ClientAddress, filing.UserAgent));
        var expiry = Assert.Single(entries, e => e.EventType == AuditEventType.AccessRequest_Expired);
        Assert.Null(expiry.ClientAddress);
        Assert.Null(expiry.UserAgent);
    }

    private async Task<Guid> FileAsync()
    {
        using var engineer = portal.Caller(ApiPortalFixture.Engineer);
        var filed = await engineer.PostAsJsonAsync("/api/v1/requests", new
        {
            tenantId = DemoData.ContosoId,
            scope = "Exchange:mailbox/ana@contoso.com",
            accessLevel = "read",
            reason = "maintenance", justification = "Customer reports missing calendar items in the mailbox.",
            durationMinutes = 60,
        });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        return (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task DecideAsync(string who, Guid id)
    {
        using var client = portal.Caller(who);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve", comment = "ok" })).StatusCode);
    }

    /// <summary>The API on a real loopback port, so calls arrive with a real remote address.</summary>
    public sealed class RealPortApi : ApiPortalFixture
    {
        private string? _baseUrl;

        protected override PortalFactory CreateFactory(string databasePath)
        {
            var factory = new PortalFactory(databasePath, realPort: true).With("Api:RateLimit:PersonalPermits", "100000");
            _baseUrl = factory.StartOnRealPort();
            return factory;
        }

        /// <summary>A program calling the API over the network as <paramref name="who"/>, naming itself in User-Agent.</summary>
        public HttpClient Caller(string who)
        {
            var client = new HttpClient { BaseAddress = new Uri(_baseUrl!) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenOf(who));
            client.DefaultRequestHeaders.UserAgent.ParseAdd(Agent);
            return client;
        }
    }
}
