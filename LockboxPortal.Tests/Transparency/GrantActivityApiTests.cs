using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Transparency;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Transparency;

/// <summary>
/// <c>POST /api/v1/grants/{requestId}/activity</c>: a service client's reports are taken whole, under the grant's window
/// and scope, or refused with a problem and nothing stored; <c>GET</c> reads them back for whoever may view the request.
/// </summary>
public sealed class GrantActivityApiTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private static string Scope() => $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";

    private static object Item(string scope, DateTimeOffset at, string action = "mailbox.read", string? under = "/inbox") =>
        new { action, resource = scope + under, at };

    private async Task<HttpResponseMessage> ReportAsync(Guid id, object body, string who = ServiceClient)
    {
        using var client = portal.Client(who);
        return await client.PostAsJsonAsync($"/api/v1/grants/{id}/activity", body);
    }

    private async Task<(int Reports, int Entries)> StoredAsync(Guid id)
    {
        await using var db = portal.NewContext();
        var subject = id.ToString();
        return (await db.GrantActivities.CountAsync(a => a.RequestId == id),
            await db.AuditEntries.CountAsync(e => e.SubjectId == subject && e.EventType == AuditEventType.Grant_ActivityReported));
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(ApiProblemsType(code), problem.GetProperty("type").GetString());
        return problem;
    }

    private static string ApiProblemsType(string code) => $"https://lockboxportal.dev/problems/{code}";

    [Fact]
    public async Task AReportUnderAnOpenGrant_IsStored_InOneAuditEntry_AndReadBackByTheCustomersApprover()
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        var now = DateTimeOffset.UtcNow;

        var response = await ReportAsync(id, new
        {
            tenant = "contoso",
            activities = new[] { Item(scope, now, "mailbox.read"), Item(scope, now, "message.export", "/inbox/42") },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stored").GetInt32());
        Assert.Equal((2, 1), await StoredAsync(id));
        await using (var db = portal.NewContext())
        {
            var entry = await db.AuditEntries.SingleAsync(e => e.SubjectId == id.ToString() && e.EventType == AuditEventType.Grant_ActivityReported);
            Assert.Equal(DemoData.ContosoId, entry.ChainId);
            Assert.StartsWith("client:", entry.ActorId, StringComparison.Ordinal);
            Assert.Contains("message.export", entry.DetailsJson, StringComparison.Ordinal);
            Assert.Contains(scope + "/inbox/42", entry.DetailsJson, StringComparison.Ordinal);
        }

        using var approver = portal.Client(Approver1);
        var read = await approver.GetFromJsonAsync<JsonElement>($"/api/v1/grants/{id}/activity");
        var reports = read.GetProperty("reports").EnumerateArray().ToList();
        Assert.Equal(["mailbox.read", "message.export"], reports.Select(r => r.GetProperty("action").GetString()));
        Assert.Equal("Service client: data plane", reports[0].GetProperty("clientName").GetString());
    }

    [Fact]
    public async Task APersonsToken_MayNotReport()
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);

        var response = await ReportAsync(id, new { tenant = "contoso", activities = new[] { Item(scope, DateTimeOffset.UtcNow) } }, who: Engineer);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal((0, 0), await StoredAsync(id));
    }

    [Fact]
    public async Task ABatchWithOneBadReport_StoresNothing_AndSaysWhichOne()
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        var now = DateTimeOffset.UtcNow;
        var batch = Enumerable.Range(0, 99).Select(_ => Item(scope, now)).Append(Item(scope, now, "mailbox.read\u202Eevil")).ToArray();

        var response = await ReportAsync(id, new { tenant = "contoso", activities = batch });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("Activities[99].Action", out _), problem.GetRawText());
        Assert.Equal((0, 0), await StoredAsync(id));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("tooMany")]
    [InlineData("noAction")]
    [InlineData("longAction")]
    [InlineData("badResource")]
    [InlineData("noTime")]
    [InlineData("noTenant")]
    public async Task BadFields_AreRefusedAsValidation_AndStoreNothing(string what)
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        var now = DateTimeOffset.UtcNow;
        object body = what switch
        {
            "none" => new { tenant = "contoso", activities = Array.Empty<object>() },
            "tooMany" => new { tenant = "contoso", activities = Enumerable.Range(0, 101).Select(_ => Item(scope, now)).ToArray() },
            "noAction" => new { tenant = "contoso", activities = new object[] { new { resource = scope, at = now } } },
            "longAction" => new { tenant = "contoso", activities = new[] { Item(scope, now, new string('a', 101)) } },
            "badResource" => new { tenant = "contoso", activities = new object[] { new { action = "read", resource = "no workload here", at = now } } },
            "noTime" => new { tenant = "contoso", activities = new object[] { new { action = "read", resource = scope } } },
            _ => new { activities = new[] { Item(scope, now) } },
        };

        var response = await ReportAsync(id, body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Equal((0, 0), await StoredAsync(id));
    }

    [Theory]
    [InlineData(-10)]
    [InlineData(10)]
    public async Task AReportOutsideTheGrantsWindow_IsRefused_AndTheWholeBatchStoresNothing(int minutesFromNow)
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        var now = DateTimeOffset.UtcNow;

        var response = await ReportAsync(id, new
        {
            tenant = "contoso",
            activities = new[] { Item(scope, now), Item(scope, now.AddMinutes(minutesFromNow)) },
        });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "activity-outside-window");
        Assert.Equal((0, 0), await StoredAsync(id));
        await using var db = portal.NewContext();
        Assert.True(await db.AuditEntries.AnyAsync(e => e.SubjectId == id.ToString() && e.EventType == AuditEventType.Operation_Refused
            && e.DetailsJson.Contains("activity-outside-window")), "the refusal is in the tenant's trail");
    }

    [Fact]
    public async Task AReportWithinTheClockSkew_IsTaken()
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);

        var response = await ReportAsync(id, new { tenant = "contoso", activities = new[] { Item(scope, DateTimeOffset.UtcNow.AddSeconds(60)) } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task AReportAfterTheGrantWasRevoked_ForATimeAfterTheRevoke_IsRefused()
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        var before = DateTimeOffset.UtcNow;
        using (var approver = portal.Client(Approver1))
        {
            Assert.Equal(HttpStatusCode.OK, (await approver.PostAsJsonAsync($"/api/v1/requests/{id}/revoke", new { reason = "The case is closed." })).StatusCode);
        }

        var late = await ReportAsync(id, new { tenant = "contoso", activities = new[] { Item(scope, DateTimeOffset.UtcNow.AddMinutes(5)) } });
        var inTime = await ReportAsync(id, new { tenant = "contoso", activities = new[] { Item(scope, before) } });

        await AssertProblemAsync(late, HttpStatusCode.Conflict, "activity-outside-window");
        Assert.Equal(HttpStatusCode.Created, inTime.StatusCode);
    }

    [Theory]
    [InlineData("sibling")]
    [InlineData("lookalike")]
    public async Task AReportForAResourceOutsideTheGrantsScope_IsRefused(string what)
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        var outside = what == "sibling" ? "Exchange:mailbox/someone-else@contoso.com" : scope + "munity";

        var response = await ReportAsync(id, new
        {
            tenant = "contoso",
            activities = new object[] { Item(scope, DateTimeOffset.UtcNow), new { action = "mailbox.read", resource = outside, at = DateTimeOffset.UtcNow } },
        });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "activity-outside-scope");
        Assert.Equal((0, 0), await StoredAsync(id));
    }

    [Fact]
    public async Task AReportUnderARequestThatNeverOpenedAGrant_IsRefused()
    {
        var scope = Scope();
        var id = await portal.PendingCustomerAsync(scope: scope);

        var response = await ReportAsync(id, new { tenant = "contoso", activities = new[] { Item(scope, DateTimeOffset.UtcNow) } });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "grant-not-opened");
        Assert.Equal((0, 0), await StoredAsync(id));
    }

    [Fact]
    public async Task AnotherTenantsGrant_AndAnUnknownOne_AreNotFound()
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        var item = new[] { Item(scope, DateTimeOffset.UtcNow) };

        var otherTenant = await ReportAsync(id, new { tenant = "northwind", activities = item });
        var unknown = await ReportAsync(Guid.NewGuid(), new { tenant = "contoso", activities = item });

        await AssertProblemAsync(otherTenant, HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not-found");
        Assert.Equal((0, 0), await StoredAsync(id));
    }

    [Fact]
    public async Task TheReports_AreReadOnlyByWhoMayViewTheRequest()
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        Assert.Equal(HttpStatusCode.Created, (await ReportAsync(id, new { tenant = "contoso", activities = new[] { Item(scope, DateTimeOffset.UtcNow) } })).StatusCode);

        using var northwind = portal.Client(NorthwindApprover);
        using var engineer2 = portal.Client(Engineer2);
        using var officer = portal.Client(ContosoOfficer);
        using var engineer = portal.Client(Engineer);
        using var dataPlane = portal.Client(ServiceClient);

        await AssertProblemAsync(await northwind.GetAsync($"/api/v1/grants/{id}/activity"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await engineer2.GetAsync($"/api/v1/grants/{id}/activity"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await dataPlane.GetAsync($"/api/v1/grants/{id}/activity"), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync($"/api/v1/grants/{id}/activity")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await engineer.GetAsync($"/api/v1/grants/{id}/activity")).StatusCode);
    }

    [Fact]
    public async Task TheAuditExport_ContainsTheReportsAndTheCountedChecks()
    {
        var scope = Scope();
        var id = await portal.ApprovedAsync(scope: scope);
        Assert.Equal(HttpStatusCode.Created, (await ReportAsync(id, new
        {
            tenant = "contoso",
            activities = new[] { Item(scope, DateTimeOffset.UtcNow, "calendar.repair", "/calendar") },
        })).StatusCode);
        Assert.True((await portal.CheckAsync(scope: scope + "/calendar")).GetProperty("allowed").GetBoolean());
        Assert.True((await portal.CheckAsync(scope: scope + "/calendar")).GetProperty("allowed").GetBoolean());
        Assert.False((await portal.CheckAsync(scope: scope, accessLevel: "readWrite")).GetProperty("allowed").GetBoolean());

        // What the app does when it stops: the minute still running is closed, with its entry.
        await portal.Factory.Services.GetRequiredService<CheckCountFlusher>().FlushAsync(closeAll: true);

        await using var services = portal.Factory.Services.CreateAsyncScope();
        var officer = await PrincipalAsync(services.ServiceProvider, ContosoOfficer);
        var job = await services.ServiceProvider.GetRequiredService<AuditService>().StartExportAsync(officer, new AuditQuery(DemoData.ContosoId), AuditExportFormat.Json);
        var output = new StringWriter();
        await job.WriteAsync(output, CancellationToken.None);
        var entries = JsonDocument.Parse(output.ToString()).RootElement.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("subjectId").GetString() == id.ToString()).ToList();

        var reported = Assert.Single(entries, e => e.GetProperty("eventName").GetString() == nameof(AuditEventType.Grant_ActivityReported));
        Assert.Contains("calendar.repair", reported.GetProperty("details").GetString(), StringComparison.Ordinal);
        var counted = entries.Where(e => e.GetProperty("eventName").GetString() == nameof(AuditEventType.Grant_ChecksCounted))
            .Select(e => JsonDocument.Parse(e.GetProperty("details").GetString()!).RootElement).ToList();
        Assert.NotEmpty(counted);
        Assert.Equal(2, counted.Sum(d => d.GetProperty("allowed").GetInt32()));
        Assert.Equal(1, counted.Sum(d => d.GetProperty("refused").GetInt32()));
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesTheReportAndItsRefusals()
    {
        using var client = portal.Client(null);
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var path = document.GetProperty("paths").GetProperty("/api/v1/grants/{requestId}/activity");

        var report = path.GetProperty("post");
        Assert.Contains("ActivityReportBody", report.GetProperty("requestBody").GetRawText(), StringComparison.Ordinal);
        var responses = report.GetProperty("responses");
        Assert.Contains("ActivityReportResponse", responses.GetProperty("201").GetRawText(), StringComparison.Ordinal);
        foreach (var refusal in new[] { "400", "401", "403", "404", "409" })
        {
            Assert.Contains("application/problem+json", responses.GetProperty(refusal).GetRawText(), StringComparison.Ordinal);
        }

        foreach (var code in new[] { "grant-not-opened", "activity-outside-window", "activity-outside-scope" })
        {
            Assert.Contains(code, report.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains("GrantActivityResponse", path.GetProperty("get").GetProperty("responses").GetProperty("200").GetRawText(), StringComparison.Ordinal);
        var item = document.GetProperty("components").GetProperty("schemas").GetProperty("ActivityReportItemBody").GetProperty("properties");
        Assert.True(item.TryGetProperty("action", out _) && item.TryGetProperty("resource", out _) && item.TryGetProperty("at", out _));
    }

    private static async Task<ClaimsPrincipal> PrincipalAsync(IServiceProvider services, string email)
    {
        await using var db = services.GetRequiredService<IDbContextFactory<LockboxPortal.Data.LockboxDbContext>>().CreateDbContext();
        var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], "Test"));
    }
}
