using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary><c>GET /api/v1/grant-events</c>: the data plane hears every grant open, end, revoke and release, and resumes where it left off.</summary>
public sealed class GrantEventsApiTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private sealed record Event(long Id, string Type, JsonElement Data);

    /// <summary>An open stream, read event by event.</summary>
    private sealed class Stream(HttpClient client, HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public HttpResponseMessage Response => response;

        public async Task<Event> NextAsync(TimeSpan within)
        {
            using var timeout = new CancellationTokenSource(within);
            var (id, type, data) = ((long?)null, (string?)null, (string?)null);
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Length == 0 && data is not null)
                {
                    return new Event(id!.Value, type!, JsonDocument.Parse(data).RootElement.Clone());
                }

                if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..]);
                if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            }

            throw new InvalidOperationException("The stream ended.");
        }

        /// <summary>The next event about <paramref name="requestId"/>, skipping other tests' grants.</summary>
        public async Task<Event> NextAboutAsync(Guid requestId, TimeSpan within)
        {
            var until = DateTimeOffset.UtcNow + within;
            while (true)
            {
                var next = await NextAsync(until - DateTimeOffset.UtcNow);
                if (next.Data.GetProperty("requestId").GetGuid() == requestId)
                {
                    return next;
                }
            }
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            client.Dispose();
        }
    }

    private async Task<Stream> OpenAsync(long? lastEventId = null)
    {
        var client = portal.Client(ServiceClient);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/grant-events");
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString());
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new Stream(client, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    private static string Scope() => $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";

    private async Task RevokeAsync(Guid id)
    {
        using var approver = portal.Client(Approver1);
        var revoke = await approver.PostAsJsonAsync($"/api/v1/requests/{id}/revoke", new { reason = "The case is closed." });
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
    }

    [Fact]
    public async Task ApprovalAndRevoke_ReachAnOpenStream_TheRevokeWithinOneSecond()
    {
        using var stream = await OpenAsync();
        var id = await portal.ApprovedAsync(scope: Scope());

        var opened = await stream.NextAboutAsync(id, TimeSpan.FromSeconds(5));
        await RevokeAsync(id);
        var revoked = await stream.NextAboutAsync(id, TimeSpan.FromSeconds(1));

        Assert.Equal("grant.opened", opened.Type);
        Assert.Equal("contoso", opened.Data.GetProperty("tenant").GetString());
        Assert.Equal("read", opened.Data.GetProperty("accessLevel").GetString());
        Assert.Equal("grant.revoked", revoked.Type);
        Assert.True(revoked.Id > opened.Id);
        Assert.True(revoked.Data.GetProperty("grantEndsAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        await using var db = portal.NewContext();
        var engineerId = db.Users.Single(u => u.Email == Engineer).Id;
        Assert.Equal(engineerId, revoked.Data.GetProperty("engineer").GetString());
    }

    [Fact]
    public async Task ADeclaredEmergency_ReachesAnOpenStream_AsGrantOpened_AndItsRejection_AsGrantRevokedWithinOneSecond()
    {
        await using (var db = portal.NewContext())
        {
            var contoso = await db.Tenants.SingleAsync(t => t.Id == DemoData.ContosoId);
            contoso.ChangePolicy(contoso.Policy with { AllowEmergencyAccess = true });
            await db.SaveChangesAsync();
        }

        using var stream = await OpenAsync();
        using var engineer = portal.Client(Engineer);
        var scope = Scope();
        var declared = await engineer.PostAsJsonAsync("/api/v1/emergencies", new
        {
            tenantId = DemoData.ContosoId, scope, accessLevel = "read", incidentReference = "INC-2026-0042",
            justification = "Mail flow outage: the mailbox rules loop and bounce every message.",
        });
        Assert.Equal(HttpStatusCode.Created, declared.StatusCode);
        var id = (await declared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        // Well before the stream's keep-alive, which would also have carried it.
        var opened = await stream.NextAboutAsync(id, TimeSpan.FromSeconds(5));
        await portal.DecideAsync(Approver1, id, "reject");
        var revoked = await stream.NextAboutAsync(id, TimeSpan.FromSeconds(1));

        Assert.Equal("grant.opened", opened.Type);
        Assert.Equal(("contoso", scope, "read"),
            (opened.Data.GetProperty("tenant").GetString(), opened.Data.GetProperty("scope").GetString(), opened.Data.GetProperty("accessLevel").GetString()));
        Assert.Equal(TimeSpan.FromMinutes(60), opened.Data.GetProperty("grantEndsAt").GetDateTimeOffset() - opened.Data.GetProperty("grantStartsAt").GetDateTimeOffset());
        Assert.Equal("grant.revoked", revoked.Type);
        Assert.True(revoked.Id > opened.Id);
    }

    [Fact]
    public async Task AnApprovedExtension_ReachesTheStream_WithTheGrantsNewEnd()
    {
        var id = await portal.ApprovedAsync(scope: Scope());
        using var stream = await OpenAsync();
        using var engineer = portal.Client(Engineer);
        var filed = await engineer.PostAsJsonAsync($"/api/v1/requests/{id}/extensions", new { minutes = 90, justification = "The mailbox export needs another hour and a half." });
        var extensionId = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await portal.DecideAsync(Manager, extensionId, "approve");
        await portal.DecideAsync(Approver1, extensionId, "approve");

        var extended = await stream.NextAboutAsync(id, TimeSpan.FromSeconds(5));

        Assert.Equal("grant.extended", extended.Type);
        var grant = await engineer.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");
        Assert.Equal(grant.GetProperty("grantEndsAt").GetDateTimeOffset(), extended.Data.GetProperty("grantEndsAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task AReconnectWithLastEventId_ReceivesWhatItMissed_InOrder()
    {
        var first = await portal.ApprovedAsync(scope: Scope());
        long lastSeen;
        using (var stream = await OpenAsync())
        {
            await RevokeAsync(first);
            lastSeen = (await stream.NextAboutAsync(first, TimeSpan.FromSeconds(5))).Id;
        }

        // While disconnected: a second grant opens, and its engineer releases it.
        var second = await portal.ApprovedAsync(scope: Scope());
        using (var engineer = portal.Client(Engineer))
        {
            Assert.Equal(HttpStatusCode.OK, (await engineer.PostAsync($"/api/v1/requests/{second}/release", null)).StatusCode);
        }

        using var resumed = await OpenAsync(lastSeen);
        var missed = new[] { await resumed.NextAboutAsync(second, TimeSpan.FromSeconds(5)), await resumed.NextAboutAsync(second, TimeSpan.FromSeconds(5)) };

        Assert.Equal(["grant.opened", "grant.released"], missed.Select(e => e.Type));
        Assert.All(missed, e => Assert.True(e.Id > lastSeen));
    }

    [Fact]
    public async Task ANewStream_StartsFromNow()
    {
        var before = await portal.ApprovedAsync(scope: Scope());
        using var stream = await OpenAsync();
        var after = await portal.ApprovedAsync(scope: Scope());

        var next = await stream.NextAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(after, next.Data.GetProperty("requestId").GetGuid());
        Assert.NotEqual(before, after);
    }

    [Theory]
    [InlineData(Engineer)]
    [InlineData(Approver1)]
    [InlineData(ProviderAdmin)]
    public async Task APersonsToken_Is403Problem(string who)
    {
        using var client = portal.Client(who);

        var response = await client.GetAsync("/api/v1/grant-events");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("https://lockboxportal.dev/problems/forbidden", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task WithoutAToken_Is401Problem()
    {
        using var client = portal.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/grant-events")).StatusCode);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-1")]
    public async Task AnUnreadableLastEventId_Is400Problem(string header)
    {
        using var client = portal.Client(ServiceClient);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/grant-events");
        request.Headers.Add("Last-Event-ID", header);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ProblemAsync(response)).GetProperty("errors").TryGetProperty("Last-Event-ID", out _));
    }

    [PostgresFact]
    public async Task AnEntryCommittedAfterAHigherId_IsStillRead_OnceOnly()
    {
        var contoso = await portal.ApprovedAsync(scope: Scope());
        var northwind = await portal.ApprovedAsync(DemoData.NorthwindId, $"Sql:database/{Guid.NewGuid():N}");
        var stream = portal.Factory.Services.GetRequiredService<GrantEventStream>();
        var cursor = await stream.NewestIdAsync(CancellationToken.None);
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<AuditWriter>();
        AuditRecord Revoked(Guid tenant, Guid request) =>
            new(AuditEventType.Grant_Revoked, Actor.System, tenant, RequestGate.Subject, request.ToString(), AuditRecord.Details(new { Reason = "test" }));

        // Contoso's entry takes the lower id but commits last, after Northwind's was read.
        await using var late = portal.NewContext();
        await using var lateCommit = await late.Database.BeginTransactionAsync();
        var lateEntry = await writer.AppendAsync(late, Revoked(DemoData.ContosoId, contoso));
        await late.SaveChangesAsync();
        await using (var early = portal.NewContext())
        {
            await using var earlyCommit = await early.Database.BeginTransactionAsync();
            await writer.AppendAsync(early, Revoked(DemoData.NorthwindId, northwind));
            await early.SaveChangesAsync();
            await earlyCommit.CommitAsync();
        }

        var first = await stream.ReadAfterAsync(cursor, null, new HashSet<long>(), CancellationToken.None);
        var sent = (await stream.ReadAfterAsync(0, null, new HashSet<long>(), CancellationToken.None)).Select(e => e.Id).ToHashSet(); // as a stream open all along would have
        await lateCommit.CommitAsync();
        var seen = Assert.Single(first);
        Assert.Equal(northwind, seen.RequestId);
        Assert.True(seen.Id > lateEntry.Id);
        var again = await stream.ReadAfterAsync(seen.Id, seen.At - GrantEventStream.Settle, sent, CancellationToken.None);
        var withoutSettling = await stream.ReadAfterAsync(seen.Id, null, sent, CancellationToken.None);

        var straggler = Assert.Single(again);
        Assert.Equal((lateEntry.Id, contoso), (straggler.Id, straggler.RequestId));
        Assert.Empty(withoutSettling);
    }
}
