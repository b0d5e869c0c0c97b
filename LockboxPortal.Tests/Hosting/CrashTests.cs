using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Hosting;

/// <summary>
/// The portal process killed with SIGKILL while requests are being filed and decided through the API, then started
/// again on the same database: what was answered is there, the deadlines that passed while it was down are closed
/// once each, and the trail verifies.
/// </summary>
public sealed class CrashTests : IDisposable
{
    /// <summary>Operations answered before the kill; the workers go on sending, so the kill lands mid-stream.</summary>
    private const int AnsweredBeforeKill = 40;

    private const int Workers = 4;

    private readonly TempFolder _folder = new();

    private string DatabasePath => _folder.File("lockbox.db");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task KilledWhileFilingAndDeciding_KeepsEveryAnsweredOperation_ClosesOverdueDeadlinesOnce_AndTheTrailVerifies()
    {
        var settings = new Dictionary<string, string> { ["Api:RateLimit:PersonalPermits"] = "100000" };
        var answered = new ConcurrentDictionary<Guid, RequestStatus>();
        var answers = 0;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using (var first = await PortalProcess.StartAsync(DatabasePath, settings))
        {
            var engineer = Client(first, await TokenAsync(ApiPortalFixture.Engineer));
            var manager = Client(first, await TokenAsync(ApiPortalFixture.Manager));
            var approver = Client(first, await TokenAsync(ApiPortalFixture.NorthwindApprover));

            // Each worker files, then takes its request one stage further than the last: left pending, past the
            // manager, approved by the customer. An answer is recorded only once the portal gave it.
            void Answered(Guid id, RequestStatus status)
            {
                answered[id] = status;
                if (Interlocked.Increment(ref answers) >= AnsweredBeforeKill)
                {
                    enough.TrySetResult();
                }
            }

            async Task WorkAsync(int worker)
            {
                for (var round = 0; ; round++)
                {
                    var filed = await engineer.PostAsJsonAsync("/api/v1/requests", new
                    {
                        tenantId = DemoData.NorthwindId,
                        scope = $"SharePoint:site/crash-{worker}-{round}",
                        accessLevel = "read",
                        reason = "maintenance", justification = "Restore a deleted library for the customer.",
                        durationMinutes = 60,
                    });
                    Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
                    var id = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                    Answered(id, RequestStatus.PendingInternal);
                    if (round % 3 == 0)
                    {
                        continue;
                    }

                    await DecideAsync(manager, id);
                    Answered(id, RequestStatus.PendingCustomer);
                    if (round % 3 == 1)
                    {
                        continue;
                    }

                    await DecideAsync(approver, id);
                    Answered(id, RequestStatus.Approved);
                }
            }

            var work = Enumerable.Range(0, Workers).Select(worker => Task.Run(() => WorkAsync(worker))).ToArray();
            await enough.Task.WaitAsync(TimeSpan.FromMinutes(2));
            first.Kill();

            // Every worker stops on a failed call to the dead process, none on a wrong answer.
            foreach (var task in work)
            {
                var stopped = await Assert.ThrowsAnyAsync<Exception>(() => task);
                Assert.True(stopped is HttpRequestException or TaskCanceledException, stopped.ToString());
            }
        }

        // The portal stays down past every open deadline: move the stored pending deadlines and grant ends to before
        // now, as a long outage would. Whatever the kill interrupted is all there or not at all; what was answered is
        // there, at least as far as it was answered.
        var now = DateTimeOffset.UtcNow;
        List<Guid> pending, granted;
        await using (var db = TestDatabase.NewContext(DatabasePath))
        {
            var stored = await db.AccessRequests.Where(r => r.TenantId == DemoData.NorthwindId && r.Scope.StartsWith("SharePoint:site/crash-"))
                .ToDictionaryAsync(r => r.Id, r => r.Status);
            Assert.All(answered, a => Assert.True(stored.TryGetValue(a.Key, out var status) && Rank(status) >= Rank(a.Value), $"{a.Key} answered as {a.Value}"));
            pending = stored.Where(r => r.Value is RequestStatus.PendingInternal or RequestStatus.PendingCustomer).Select(r => r.Key).ToList();
            granted = stored.Where(r => r.Value == RequestStatus.Approved).Select(r => r.Key).ToList();
            Assert.Equal(stored.Count, pending.Count + granted.Count);
            Assert.NotEmpty(pending);
            Assert.NotEmpty(granted);
            await db.AccessRequests.Where(r => pending.Contains(r.Id)).ExecuteUpdateAsync(s => s.SetProperty(r => r.ExpiresAt, now.AddMinutes(-1)));
            await db.AccessRequests.Where(r => granted.Contains(r.Id)).ExecuteUpdateAsync(s => s.SetProperty(r => r.GrantEndsAt, now.AddMinutes(-1)));
        }

        // Started again: the timer closes them before the portal serves anyone. Killed and started once more, it must
        // not close them a second time.
        using (var second = await PortalProcess.StartAsync(DatabasePath, settings))
        {
            var engineer = Client(second, await TokenAsync(ApiPortalFixture.Engineer));
            foreach (var (id, status) in answered)
            {
                var response = await engineer.GetAsync($"/api/v1/requests/{id}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var request = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(granted.Contains(id) ? "completed" : "expired", request.GetProperty("status").GetString());
                Assert.True(request.GetProperty("decisions").GetArrayLength() >= Rank(status), $"{id} answered as {status}");
            }

            second.Kill();
        }

        using (var third = await PortalProcess.StartAsync(DatabasePath, settings))
        {
            Assert.Equal(HttpStatusCode.OK, (await new HttpClient().GetAsync(third.Url + "/health/ready")).StatusCode);
        }

        await using (var db = TestDatabase.NewContext(DatabasePath))
        {
            var closings = await db.AuditEntries
                .Where(e => e.EventType == AuditEventType.AccessRequest_Expired || e.EventType == AuditEventType.Grant_Completed)
                .Select(e => new { e.EventType, e.SubjectId }).ToListAsync();
            Assert.All(pending, id => Assert.Single(closings, c => c.EventType == AuditEventType.AccessRequest_Expired && c.SubjectId == id.ToString()));
            Assert.All(granted, id => Assert.Single(closings, c => c.EventType == AuditEventType.Grant_Completed && c.SubjectId == id.ToString()));
        }

        var verify = await PortalProcess.RunCommandAsync(DatabasePath, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Contains("northwind: intact", verify.Output, StringComparison.Ordinal);
        Assert.Contains("provider: intact", verify.Output, StringComparison.Ordinal);
    }

    /// <summary>How far a request got: the decisions it holds at least.</summary>
    private static int Rank(RequestStatus status) => status switch
    {
        RequestStatus.PendingInternal => 0,
        RequestStatus.PendingCustomer => 1,
        _ => 2,
    };

    private static async Task DecideAsync(HttpClient client, Guid id)
    {
        var response = await client.PostAsJsonAsync($"/api/v1/requests/{id}/decision", new { decision = "approve", comment = "ok" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string> TokenAsync(string email)
    {
        var (exitCode, output, error) = await PortalProcess.RunCommandAsync(DatabasePath, "tokens", "create", "--user", email, "--name", "crash test", "--expires-days", "1");
        Assert.True(exitCode == 0, error);
        return output.Trim();
    }

    private static HttpClient Client(PortalProcess portal, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(portal.Url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
