using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Transparency;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.ApiTokens;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Cluster;

/// <summary>
/// Two nodes behind one PostgreSQL and one Redis, as a provider runs them behind a load balancer: what one node
/// does, the other shows, checks, accepts and applies once.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TwoNodeTests(BrowserFixture browser)
{
    [ClusterFact]
    public async Task RequestFiledOnA_AppearsOnTheManagersQueueOnB_WithoutReload()
    {
        await using var nodes = await TwoNodes.StartAsync(TestDatabase.Redis!);
        var manager = await nodes.SignInAsync(browser.Browser, nodes.UrlB, Manager);
        await manager.GotoAsync("/queue/internal");
        await LivePortal.WaitForInteractiveAsync(manager);

        var (_, reference) = await nodes.FileAsync(nodes.UrlA);

        await Assertions.Expect(manager.Locator("td[data-testid=reference]", new() { HasText = reference })).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    [ClusterFact]
    public async Task RevokeOnB_IsRefusedOnBAtOnce_AndOnAWithinOneSecond_ThoughAKeptTheGrant()
    {
        await using var nodes = await TwoNodes.StartAsync(TestDatabase.Redis!);
        var id = await nodes.ApprovedAsync(nodes.UrlA);
        Assert.True((await nodes.CheckAsync(nodes.UrlA)).GetProperty("allowed").GetBoolean());
        Assert.True((await nodes.CheckAsync(nodes.UrlB)).GetProperty("allowed").GetBoolean());

        using var approver = nodes.Client(nodes.UrlB, Approver1);
        var revoke = await approver.PostAsJsonAsync($"/api/v1/requests/{id}/revoke", new { reason = "Ticket closed." });
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        // B forgot the grant before the revoke returned; A when the event reached it through Redis.
        var revokedAt = Stopwatch.StartNew();
        Assert.False((await nodes.CheckAsync(nodes.UrlB)).GetProperty("allowed").GetBoolean());
        bool allowedOnA;
        do
        {
            allowedOnA = (await nodes.CheckAsync(nodes.UrlA)).GetProperty("allowed").GetBoolean();
        }
        while (allowedOnA && revokedAt.Elapsed < TimeSpan.FromSeconds(5));

        Assert.False(allowedOnA);
        Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(1), $"Node A refused the revoked grant only after {revokedAt.Elapsed}.");
    }

    [ClusterFact]
    public async Task ServiceClientRevokedOnB_IsRefusedOnA_WithinOneSecond_ThoughARemembersIt()
    {
        await using var nodes = await TwoNodes.StartAsync(TestDatabase.Redis!);
        using var dataPlane = nodes.Client(nodes.UrlA, ApiPortalFixture.ServiceClient);
        var body = new { tenant = "contoso", engineer = ApiPortalFixture.Engineer, scope = nodes.Scope, accessLevel = "read" };
        Assert.Equal(HttpStatusCode.OK, (await dataPlane.PostAsJsonAsync("/api/v1/access-checks", body)).StatusCode);

        await using (var scope = nodes.B.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
            await using var db = nodes.B.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
            var admin = await db.Users.Where(u => u.Email == ApiPortalFixture.ProviderAdmin).Select(u => u.Id).SingleAsync();
            var client = await db.ApiTokens.SingleAsync(t => t.Kind == ApiTokenKind.ServiceClient && t.Name == "data plane");
            await tokens.RevokeAsync(ServiceHarness.As(admin), client.Id);
        }

        // A heard it through Redis: its memory of the token is gone within a second.
        var revokedAt = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            status = (await dataPlane.PostAsJsonAsync("/api/v1/access-checks", body)).StatusCode;
        }
        while (status == HttpStatusCode.OK && revokedAt.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(1), $"Node A refused the revoked token only after {revokedAt.Elapsed}.");
    }

    [ClusterFact]
    public async Task PersonSignedInOnA_IsSignedInOnB()
    {
        await using var nodes = await TwoNodes.StartAsync(TestDatabase.Redis!);
        var engineer = await nodes.SignInAsync(browser.Browser, nodes.UrlA, Engineer);

        // The same cookie (a browser sends it to every port of the host), unprotected with the key ring both share.
        await engineer.GotoAsync(nodes.UrlB + "/requests/mine");
        await LivePortal.WaitForInteractiveAsync(engineer);

        Assert.StartsWith(nodes.UrlB + "/requests/mine", engineer.Url, StringComparison.Ordinal);
    }

    [ClusterFact]
    public async Task GrantTokenIssuedByA_VerifiesWithBsJwks()
    {
        await using var nodes = await TwoNodes.StartAsync(TestDatabase.Redis!);
        var id = await nodes.ApprovedAsync(nodes.UrlA);
        using var engineer = nodes.Client(nodes.UrlA, Engineer);
        var token = (await engineer.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}/grant-token")).GetProperty("token").GetString();
        using var anonymous = nodes.Client(nodes.UrlB, null);
        var jwks = new JsonWebKeySet(await anonymous.GetStringAsync("/.well-known/jwks.json"));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, GrantTokenTests.Parameters(jwks));

        Assert.True(result.IsValid, result.Exception?.ToString());
        Assert.Equal(id.ToString(), result.Claims["request_id"]);
    }

    [ClusterFact]
    public async Task GrantEnd_WithBothNodesTimersRunning_IsAppliedOnce()
    {
        await using var nodes = await TwoNodes.StartAsync(TestDatabase.Redis!);
        var id = await nodes.ApprovedAsync(nodes.UrlA);
        DateTimeOffset end;
        await using (var db = nodes.A.Services.GetRequiredService<IDbContextFactory<LockboxPortal.Data.LockboxDbContext>>().CreateDbContext())
        {
            end = (await db.AccessRequests.SingleAsync(r => r.Id == id)).GrantEndsAt!.Value;
        }

        // Each node's timer reports its passes; wait until both have looked at a moment past the end.
        var passedA = PassedAsync(nodes.A, end);
        var passedB = PassedAsync(nodes.B, end);
        nodes.Time.Advance(end - nodes.Time.GetUtcNow() + TimeSpan.FromSeconds(1));
        await Task.WhenAll(passedA, passedB).WaitAsync(TimeSpan.FromSeconds(60));

        await using var check = nodes.A.Services.GetRequiredService<IDbContextFactory<LockboxPortal.Data.LockboxDbContext>>().CreateDbContext();
        Assert.Equal(RequestStatus.Completed, (await check.AccessRequests.SingleAsync(r => r.Id == id)).Status);
        Assert.Equal(1, await check.AuditEntries.CountAsync(e => e.SubjectId == id.ToString() && e.EventType == AuditEventType.Grant_Completed));
    }

    [ClusterFact]
    public async Task FiftySimultaneousDecisions_SpreadOverBothNodes_HaveExactlyOneEffect()
    {
        await using var nodes = await TwoNodes.StartAsync(TestDatabase.Redis!);
        var (id, _) = await nodes.FileAsync(nodes.UrlA);
        Assert.True((await nodes.DecideAsync(nodes.UrlB, Manager, id)).IsSuccessStatusCode);

        using var start = new SemaphoreSlim(0);
        var decisions = Enumerable.Range(0, 50).Select(async i =>
        {
            await start.WaitAsync();
            return await nodes.DecideAsync(i % 2 == 0 ? nodes.UrlA : nodes.UrlB, i % 4 < 2 ? Approver1 : Approver2, id, i % 3 == 0 ? "reject" : "approve");
        }).ToList();
        start.Release(50);
        var responses = await Task.WhenAll(decisions);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var refusals = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(49, refusals.Count);
        foreach (var refusal in refusals)
        {
            Assert.Equal(HttpStatusCode.Conflict, refusal.StatusCode);
            Assert.Equal("https://lockboxportal.dev/problems/already-decided", (await ProblemAsync(refusal)).GetProperty("type").GetString());
        }

        await using (var db = nodes.A.Services.GetRequiredService<IDbContextFactory<LockboxPortal.Data.LockboxDbContext>>().CreateDbContext())
        {
            var customerDecisions = await db.AuditEntries.CountAsync(e => e.SubjectId == id.ToString()
                && (e.EventType == AuditEventType.AccessRequest_CustomerApproved || e.EventType == AuditEventType.AccessRequest_CustomerRejected));
            Assert.Equal(1, customerDecisions);
        }

        var (exitCode, output) = await AuditVerifyAsync(nodes.A);
        Assert.True(exitCode == 0, output);
    }

    [ClusterFact]
    public async Task ChecksOnBothNodes_UnderOneGrantInOneMinute_AreOneRowWithTheirSum_AndEachNodesEntryHoldsWhatItCounted()
    {
        await using var nodes = await TwoNodes.StartAsync(TestDatabase.Redis!);
        var id = await nodes.ApprovedAsync(nodes.UrlA);

        // All checks 10 seconds into a minute of their own, two on A and three on B.
        var minute = GrantCheckMinute.MinuteOf(nodes.Time.GetUtcNow()).AddMinutes(1);
        nodes.Time.SetUtcNow(minute.AddSeconds(10));
        foreach (var url in new[] { nodes.UrlA, nodes.UrlB, nodes.UrlA, nodes.UrlB, nodes.UrlB })
        {
            Assert.True((await nodes.CheckAsync(url)).GetProperty("allowed").GetBoolean());
        }

        // Both nodes write the same new minute at once (one loses the insert and adds to the winner's row), and again
        // once the minute is over, each with its audit entry. A flush the clock woke meanwhile is waited for.
        var flushers = new[] { nodes.A, nodes.B }.Select(n => n.Services.GetRequiredService<CheckCountFlusher>()).ToList();
        await Task.WhenAll(flushers.Select(f => f.FlushAsync()));
        nodes.Time.SetUtcNow(minute.AddMinutes(1).AddSeconds(1));
        await Task.WhenAll(flushers.Select(f => f.FlushAsync()));

        await using var db = nodes.A.Services.GetRequiredService<IDbContextFactory<LockboxPortal.Data.LockboxDbContext>>().CreateDbContext();
        var row = Assert.Single(await db.GrantCheckMinutes.AsNoTracking().Where(m => m.RequestId == id).ToListAsync());
        Assert.Equal((minute, 5, 0), (row.Minute, row.Allowed, row.Refused));
        Assert.Equal((minute.AddSeconds(10), minute.AddSeconds(10)), (row.FirstAllowedAt, row.LastAllowedAt));

        // By design (decision 0014) each node writes its own entry for the minute; together they are the row.
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.SubjectId == id.ToString() && e.EventType == AuditEventType.Grant_ChecksCounted).ToListAsync();
        var counted = entries.Select(e => JsonDocument.Parse(e.DetailsJson).RootElement)
            .Select(d => (Minute: d.GetProperty("minute").GetDateTimeOffset(), Allowed: d.GetProperty("allowed").GetInt32())).OrderBy(c => c.Allowed).ToList();
        Assert.Equal([(minute, 2), (minute, 3)], counted);
        var (exitCode, output) = await AuditVerifyAsync(nodes.A);
        Assert.True(exitCode == 0, output);
    }

    [ClusterFact]
    public async Task RedisStopped_DecisionsAreStored_AndChecksAnswerOnBothNodes_PagesCatchUpWhenItReturns()
    {
        using var redis = new OwnRedis();
        await using var nodes = await TwoNodes.StartAsync(redis.Address);
        var approved = await nodes.ApprovedAsync(nodes.UrlA);
        var manager = await nodes.SignInAsync(browser.Browser, nodes.UrlB, Manager);
        await manager.GotoAsync("/queue/internal");
        await LivePortal.WaitForInteractiveAsync(manager);
        // B keeps the grant in its read model; the revoke below reaches B only through the database.
        Assert.True((await nodes.CheckAsync(nodes.UrlB)).GetProperty("allowed").GetBoolean());

        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        nodes.B.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().ConnectionFailed += (_, args) =>
        {
            if (args.ConnectionType == StackExchange.Redis.ConnectionType.Subscription)
            {
                lost.TrySetResult();
            }
        };

        redis.Stop();
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(nodes.B.Services.GetRequiredService<IEventTransport>().HearsEveryEvent);

        // Filing and deciding still work and are stored; the checks read the database on either node. The filing is for
        // another scope: the engineer holds the grant on the first one until it is revoked.
        var (filed, reference) = await nodes.FileAsync(nodes.UrlA, $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com");
        using (var approver = nodes.Client(nodes.UrlA, Approver1))
        {
            Assert.Equal(HttpStatusCode.OK, (await approver.PostAsJsonAsync($"/api/v1/requests/{approved}/revoke", new { reason = "Ticket closed." })).StatusCode);
        }

        Assert.False((await nodes.CheckAsync(nodes.UrlA)).GetProperty("allowed").GetBoolean());
        Assert.False((await nodes.CheckAsync(nodes.UrlB)).GetProperty("allowed").GetBoolean());
        await using (var db = nodes.B.Services.GetRequiredService<IDbContextFactory<LockboxPortal.Data.LockboxDbContext>>().CreateDbContext())
        {
            Assert.Equal(RequestStatus.PendingInternal, (await db.AccessRequests.SingleAsync(r => r.Id == filed)).Status);
        }

        // Node B's page missed the filing while Redis was down; when Redis is back, B reads again and shows it.
        redis.Start();
        await Assertions.Expect(manager.Locator("td[data-testid=reference]", new() { HasText = reference })).ToBeVisibleAsync(new() { Timeout = 60_000 });
    }

    private static Task PassedAsync(PortalFactory node, DateTimeOffset end)
    {
        var timer = node.Services.GetRequiredService<DeadlineTimer>();
        var passed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        timer.PassCompleted += pass =>
        {
            if (pass.Now >= end && pass.Error is null)
            {
                passed.TrySetResult();
            }
        };
        return passed.Task;
    }

    /// <summary><c>audit verify</c> as the console runs it, over the nodes' database.</summary>
    private static async Task<(int? ExitCode, string Output)> AuditVerifyAsync(PortalFactory node)
    {
        string[] args = ["audit", "verify"];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = "Test", ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(node.DatabaseSettings);
        builder.Configuration.AddInMemoryCollection(TestCertificate.Settings());
        builder.Services.AddLockboxPortal(builder.Configuration, builder.Environment);
        await using var app = builder.Build();
        var output = new StringWriter();
        var exitCode = await app.RunConsoleCommandAsync(args, output, output);
        return (exitCode, output.ToString());
    }
}
