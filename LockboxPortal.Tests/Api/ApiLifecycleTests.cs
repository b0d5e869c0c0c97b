using LockboxPortal.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>A request from filing to Approved entirely through the API, watched by the data plane's access check.</summary>
public sealed class ApiLifecycleTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    [Fact]
    public async Task FileToApproved_ThroughTheApi_FlipsTheAccessCheck_AndRevokeRefusesAgain()
    {
        var scope = $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";
        using var engineer = portal.Client(Engineer);
        var filed = await engineer.PostAsJsonAsync("/api/v1/requests", new
        {
            tenantId = DemoData.ContosoId, scope, accessLevel = "read", reason = "maintenance", justification = "Customer reports missing calendar items.", durationMinutes = 60,
        });
        var id = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal("AwaitingApproval", (await portal.CheckAsync(scope: scope)).GetProperty("reason").GetString());

        await portal.DecideAsync(Manager, id, "approve");
        Assert.False((await portal.CheckAsync(scope: scope)).GetProperty("allowed").GetBoolean());

        var approved = await (await portal.DecideAsync(Approver1, id, "approve")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("approved", approved.GetProperty("status").GetString());

        var allowed = await portal.CheckAsync(scope: scope + "/inbox");
        Assert.True(allowed.GetProperty("allowed").GetBoolean());
        Assert.Equal(id, allowed.GetProperty("requestId").GetGuid());
        Assert.Equal(approved.GetProperty("grantEndsAt").GetDateTimeOffset(), allowed.GetProperty("grantEndsAt").GetDateTimeOffset());
        Assert.False(allowed.TryGetProperty("reason", out _));
        Assert.Equal("AccessLevelNotCovered", (await portal.CheckAsync(scope: scope, accessLevel: "readWrite")).GetProperty("reason").GetString());
        Assert.False((await portal.CheckAsync(engineer: Engineer2, scope: scope)).GetProperty("allowed").GetBoolean());
        Assert.False((await portal.CheckAsync(tenant: "northwind", scope: scope)).GetProperty("allowed").GetBoolean());
        Assert.Equal("NoMatchingRequest", (await portal.CheckAsync(tenant: "no-such-tenant", scope: scope)).GetProperty("reason").GetString());

        using var officer = portal.Client(ContosoOfficer);
        var revoked = await officer.PostAsJsonAsync($"/api/v1/requests/{id}/revoke", new { reason = "Suspicious activity." });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        var refused = await portal.CheckAsync(scope: scope);
        Assert.False(refused.GetProperty("allowed").GetBoolean());
        Assert.Equal(nameof(AccessDecisionReason.GrantRevoked), refused.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AScheduledStart_ThroughTheApi_IsRefusedAsNotStarted_UntilItsTime()
    {
        var scope = $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";
        var startsAt = DateTimeOffset.UtcNow.AddHours(2);
        using var engineer = portal.Client(Engineer);
        var filed = await (await engineer.PostAsJsonAsync("/api/v1/requests", new
        {
            tenantId = DemoData.ContosoId, scope, accessLevel = "read", reason = "maintenance", justification = "Mailbox migration in tonight's window.", durationMinutes = 60, startsAt,
        })).Content.ReadFromJsonAsync<JsonElement>();
        var id = filed.GetProperty("id").GetGuid();
        Assert.Equal(startsAt, filed.GetProperty("startsAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));

        await portal.DecideAsync(Manager, id, "approve");
        var approved = await (await portal.DecideAsync(Approver1, id, "approve")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(startsAt, approved.GetProperty("grantStartsAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(startsAt.AddHours(1), approved.GetProperty("grantEndsAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        var refused = await portal.CheckAsync(scope: scope);
        Assert.False(refused.GetProperty("allowed").GetBoolean());
        Assert.Equal(nameof(AccessDecisionReason.GrantNotStarted), refused.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AnApprovalForLessTime_ThroughTheApi_ShortensTheGrant_AndMoreThanRequestedIsAProblem()
    {
        var id = await portal.PendingCustomerAsync(scope: $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com");
        using var approver = portal.Client(Approver1);

        var tooLong = await approver.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve", durationMinutes = 61 });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var problem = await tooLong.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("https://lockboxportal.dev/problems/validation", problem.GetProperty("type").GetString());
        Assert.Contains("never more than requested", problem.GetProperty("errors").GetProperty("AllowedDuration")[0].GetString(), StringComparison.Ordinal);

        var approved = await (await approver.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve", durationMinutes = 30 }))
            .Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(TimeSpan.FromMinutes(30), approved.GetProperty("grantEndsAt").GetDateTimeOffset() - approved.GetProperty("grantStartsAt").GetDateTimeOffset());
        Assert.Equal(60, approved.GetProperty("requestedDurationMinutes").GetInt32());
        var customer = approved.GetProperty("decisions").EnumerateArray().Single(d => d.GetProperty("stage").GetString() == "customer");
        Assert.Equal(30, customer.GetProperty("allowedDurationMinutes").GetInt32());
    }

    [Fact]
    public async Task DecisionsThroughTheApi_AreAuditedLikeThePortals()
    {
        var id = await portal.ApprovedAsync(scope: $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com");

        await using var db = portal.NewContext();
        var types = await db.AuditEntries.Where(e => e.SubjectId == id.ToString()).Select(e => e.EventType).ToListAsync();
        Assert.Contains(AuditEventType.AccessRequest_Filed, types);
        Assert.Contains(AuditEventType.AccessRequest_InternalApproved, types);
        Assert.Contains(AuditEventType.AccessRequest_CustomerApproved, types);
        Assert.Contains(AuditEventType.Grant_Opened, types);
    }

    [Fact]
    public async Task AccessChecks_AuditEveryRefusal_CoalescedPerMinute_AndOnlyTheFirstAllowedUse()
    {
        var scope = $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";
        var id = await portal.ApprovedAsync(scope: scope);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await portal.CheckAsync(scope: scope)).GetProperty("allowed").GetBoolean());
            Assert.False((await portal.CheckAsync(scope: scope, accessLevel: "readWrite")).GetProperty("allowed").GetBoolean());
        }

        // The first refusal of a minute is written at once, the repeats counted into one entry once the minute is over
        // (here: written now, as when the app stops). The three happen within a minute, or at most across one turn.
        await portal.Factory.Services.GetRequiredService<RefusalCountFlusher>().FlushAsync(all: true);
        await using var db = portal.NewContext();
        var allowedUses = await db.AuditEntries.CountAsync(e => e.EventType == AuditEventType.Grant_AccessChecked && e.SubjectType == "AccessRequest" && e.SubjectId == id.ToString());
        var firsts = await db.AuditEntries.CountAsync(e => e.EventType == AuditEventType.Grant_AccessChecked && e.SubjectType == AccessCheckService.RefusalSubject && e.SubjectId == id.ToString());
        var counted = (await db.AuditEntries.Where(e => e.EventType == AuditEventType.Grant_AccessRefusalsCounted && e.SubjectId == id.ToString()).ToListAsync())
            .Sum(e => JsonDocument.Parse(e.DetailsJson).RootElement.GetProperty("repeats").GetInt32());
        Assert.Equal(1, allowedUses);
        Assert.InRange(firsts, 1, 2);
        Assert.Equal(3, firsts + counted);
        var entry = await db.AuditEntries.FirstAsync(e => e.EventType == AuditEventType.Grant_AccessChecked && e.SubjectId == id.ToString());
        Assert.StartsWith("client:", entry.ActorId);
        Assert.Equal(DemoData.ContosoId, entry.TenantId);
    }
}
