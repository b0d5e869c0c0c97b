using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>
/// <c>POST /api/v1/emergencies</c> and <c>/api/v1/emergencies/{id}/review</c> on the real app: the grant opens at once,
/// the tenant's approver ratifies through the decision operation, and each refusal is a problem that writes nothing.
/// </summary>
public sealed class ApiEmergencyTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private const string Why = "Mail flow outage: the mailbox rules loop and bounce every message.";

    [Fact]
    public async Task Declared_ThroughTheApi_OpensAtOnce_IsRatifiedThroughTheDecisionOperation_AndEachRefusalIsAProblem()
    {
        using var engineer = portal.Client(Engineer);
        var scope = $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";
        object Body(Guid tenant, string? incident = "INC-2026-0042", string? s = null) =>
            new { tenantId = tenant, scope = s ?? scope, accessLevel = "read", incidentReference = incident, justification = Why };

        var off = await engineer.PostAsJsonAsync("/api/v1/emergencies", Body(DemoData.NorthwindId));
        Assert.Equal(HttpStatusCode.Conflict, off.StatusCode);
        Assert.Equal(ApiProblemsType("emergency-access-off"), (await ProblemAsync(off)).GetProperty("type").GetString());

        await using (var db = portal.NewContext())
        {
            var contoso = await db.Tenants.SingleAsync(t => t.Id == DemoData.ContosoId);
            contoso.ChangePolicy(contoso.Policy with { AllowEmergencyAccess = true, RequiredApprovals = 1, StricterReasons = default });
            await db.SaveChangesAsync();
        }

        var bad = await engineer.PostAsJsonAsync("/api/v1/emergencies", Body(DemoData.ContosoId, incident: "no spaces allowed"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var badProblem = await ProblemAsync(bad);
        Assert.Equal(ApiProblemsType("validation"), badProblem.GetProperty("type").GetString());
        Assert.True(badProblem.GetProperty("errors").TryGetProperty("IncidentReference", out _));

        using var manager = portal.Client(Manager);
        var forbidden = await manager.PostAsJsonAsync("/api/v1/emergencies", Body(DemoData.ContosoId));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        var declared = await engineer.PostAsJsonAsync("/api/v1/emergencies", Body(DemoData.ContosoId));
        Assert.Equal(HttpStatusCode.Created, declared.StatusCode);
        var emergency = await declared.Content.ReadFromJsonAsync<JsonElement>();
        var id = emergency.GetProperty("id").GetGuid();
        Assert.Equal(("approved", "awaitingRatification", "INC-2026-0042"),
            (emergency.GetProperty("status").GetString(), emergency.GetProperty("emergency").GetProperty("ratification").GetString(),
             emergency.GetProperty("emergency").GetProperty("incidentReference").GetString()));
        var check = await portal.CheckAsync(scope: scope);
        Assert.Equal((true, true), (check.GetProperty("allowed").GetBoolean(), check.GetProperty("emergency").GetBoolean()));

        var held = await engineer.PostAsJsonAsync("/api/v1/emergencies", Body(DemoData.ContosoId));
        Assert.Equal(HttpStatusCode.BadRequest, held.StatusCode);
        Assert.True((await ProblemAsync(held)).GetProperty("errors").TryGetProperty("Scope", out _));

        using var officer = portal.Client(ContosoOfficer);
        var early = await officer.PostAsJsonAsync($"/api/v1/emergencies/{id}/review", new { note = "Looked at it." });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal(ApiProblemsType("not-unratified"), (await ProblemAsync(early)).GetProperty("type").GetString());

        var ratified = await (await portal.DecideAsync(Approver1, id, "approve")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ratified", ratified.GetProperty("emergency").GetProperty("ratification").GetString());
        var again = await portal.DecideAsync(Approver2, id, "reject", ensure: false);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(ApiProblemsType("already-decided"), (await ProblemAsync(again)).GetProperty("type").GetString());

        await using var check2 = portal.NewContext();
        Assert.Equal(1, await check2.AccessRequests.CountAsync(r => r.Scope == scope));
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesDeclaringAndReviewing_AndTheirRefusals()
    {
        using var client = portal.Client(null);
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        var declare = paths.GetProperty("/api/v1/emergencies").GetProperty("post");
        Assert.Equal("DeclareEmergency", declare.GetProperty("operationId").GetString());
        foreach (var status in new[] { "201", "400", "403", "409" })
        {
            Assert.True(declare.GetProperty("responses").TryGetProperty(status, out _), $"{status} is missing");
        }

        foreach (var code in new[] { "validation", "forbidden", "emergency-access-off", "emergency-unreviewed", "incidentReference" })
        {
            Assert.Contains(code, declare.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        var review = paths.GetProperty("/api/v1/emergencies/{id}/review").GetProperty("post");
        Assert.Equal("ReviewEmergency", review.GetProperty("operationId").GetString());
        Assert.Contains("not-unratified", review.GetProperty("description").GetString(), StringComparison.Ordinal);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("DeclareEmergencyBody").GetProperty("properties").TryGetProperty("incidentReference", out _));
        Assert.True(schemas.GetProperty("RequestResponse").GetProperty("properties").TryGetProperty("emergency", out _));
        Assert.True(schemas.GetProperty("AccessCheckResponse").GetProperty("properties").TryGetProperty("emergency", out _));
    }

    private static string ApiProblemsType(string code) => LockboxPortal.Api.ApiProblems.TypeFor(code);
}
