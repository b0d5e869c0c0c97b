using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LockboxPortal.Tests.Infrastructure.ApiPortalFixture;

namespace LockboxPortal.Tests.Api;

/// <summary>
/// <c>POST /api/v1/requests/{id}/questions</c> and <c>.../questions/{questionId}/answer</c>: the same exchange as the
/// request page, each refusal a problem with its own type, and the request's JSON listing the questions.
/// </summary>
public sealed class ApiQuestionTests(ApiPortalFixture portal) : IClassFixture<ApiPortalFixture>
{
    private static string Scope() => $"Exchange:mailbox/{Guid.NewGuid():N}@contoso.com";

    [Fact]
    public async Task AskAndAnswer_ThroughTheApi_ShowInTheRequestsJson_AndLeaveTheDeadline()
    {
        var id = await portal.PendingCustomerAsync(scope: Scope());
        using var approver = portal.Client(Approver1);
        using var engineer = portal.Client(Engineer);
        var before = await engineer.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");

        var asked = await approver.PostAsJsonAsync($"/api/v1/requests/{id}/questions", new { text = "Is the <b>customer</b> aware?" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        Assert.Equal($"/api/v1/requests/{id}", asked.Headers.Location!.ToString());
        var question = await asked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("customer", "Is the <b>customer</b> aware?"), (question.GetProperty("stage").GetString(), question.GetProperty("text").GetString()));
        Assert.Equal(JsonValueKind.Null, question.GetProperty("answer").ValueKind);
        var questionId = question.GetProperty("id").GetGuid();

        var answered = await engineer.PostAsJsonAsync($"/api/v1/requests/{id}/questions/{questionId}/answer", new { text = "Yes, see SR-42." });
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("Yes, see SR-42.", (await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("answer").GetString());

        foreach (var who in new[] { Engineer, Manager, Approver2, ContosoOfficer })
        {
            using var client = portal.Client(who);
            var request = await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");
            var listed = Assert.Single(request.GetProperty("questions").EnumerateArray());
            Assert.Equal((questionId, "Yes, see SR-42."), (listed.GetProperty("id").GetGuid(), listed.GetProperty("answer").GetString()));
            Assert.Equal(before.GetProperty("expiresAt").GetDateTimeOffset(), request.GetProperty("expiresAt").GetDateTimeOffset());
            Assert.Equal("pendingCustomer", request.GetProperty("status").GetString());
        }

        await using var db = portal.NewContext();
        var types = await db.AuditEntries.Where(e => e.SubjectId == id.ToString()).Select(e => e.EventType).ToListAsync();
        Assert.Contains(AuditEventType.AccessRequest_QuestionAsked, types);
        Assert.Contains(AuditEventType.AccessRequest_QuestionAnswered, types);
    }

    public static TheoryData<string, string> BadTexts => new()
    {
        { "{}", "validation" },
        { "{\"text\": \"\"}", "validation" },
        { "{\"text\": \"   \"}", "validation" },
        { "{\"text\": null}", "validation" },
        { "{\"text\": \"" + new string('q', 2001) + "\"}", "validation" },
        { "{\"text\": 42}", "malformed-request" },
        { "{\"text\": \"ok\", \"urgent\": true}", "malformed-request" },
        { "{\"Text\": \"ok\"}", "malformed-request" },
        { "{\"text\": ", "malformed-request" },
    };

    [Theory]
    [MemberData(nameof(BadTexts))]
    public async Task BadText_IsA400Problem_AndStoresNothing(string json, string code)
    {
        var id = await portal.PendingCustomerAsync(scope: Scope());
        var questionId = await AskedAsync(Approver1, id);
        var before = await QuestionsAsync(id);
        using var approver = portal.Client(Approver1);
        using var engineer = portal.Client(Engineer);

        var ask = await approver.PostAsync($"/api/v1/requests/{id}/questions", new StringContent(json, Encoding.UTF8, "application/json"));
        var answer = await engineer.PostAsync($"/api/v1/requests/{id}/questions/{questionId}/answer", new StringContent(json, Encoding.UTF8, "application/json"));

        foreach (var response in new[] { ask, answer })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(ApiProblemType(code), (await ProblemAsync(response)).GetProperty("type").GetString());
        }

        Assert.Equal(before, await QuestionsAsync(id));
    }

    [Fact]
    public async Task AnsweringTwice_IsA409_AndAnUnknownQuestionA404()
    {
        var id = await portal.PendingCustomerAsync(scope: Scope());
        var questionId = await AskedAsync(Approver1, id);
        Assert.Equal(HttpStatusCode.OK, (await AnswerAsync(Engineer, id, questionId)).StatusCode);

        var twice = await AnswerAsync(Engineer, id, questionId);
        var unknown = await AnswerAsync(Engineer, id, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(ApiProblemType("already-answered"), (await ProblemAsync(twice)).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var problem = await ProblemAsync(unknown);
        Assert.Equal((ApiProblemType("not-found"), "No such question."), (problem.GetProperty("type").GetString(), problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task AClosedRequest_IsA409_ForAskingAndAnswering()
    {
        var id = await portal.PendingCustomerAsync(scope: Scope());
        var questionId = await AskedAsync(Approver1, id);
        await portal.DecideAsync(Approver2, id, "approve");

        var ask = await AskAsync(Approver1, id);
        var answer = await AnswerAsync(Engineer, id, questionId);

        foreach (var response in new[] { ask, answer })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal(ApiProblemType("questions-closed"), (await ProblemAsync(response)).GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task AnotherTenantsRequest_AnswersExactlyAsOneThatDoesNotExist()
    {
        var id = await portal.PendingCustomerAsync(scope: Scope());

        var hidden = await AskAsync(NorthwindApprover, id);
        var missing = await AskAsync(NorthwindApprover, Guid.NewGuid());

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (hidden.StatusCode, missing.StatusCode));
        var (a, b) = (await ProblemAsync(hidden), await ProblemAsync(missing));
        Assert.Equal(b.GetProperty("type").GetString(), a.GetProperty("type").GetString());
        Assert.Equal(b.GetProperty("detail").GetString(), a.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesBothOperations_TheirBodies_AndTheirProblems()
    {
        using var client = portal.Client(null);
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        foreach (var (path, success) in new[] { ("/api/v1/requests/{id}/questions", "201"), ("/api/v1/requests/{id}/questions/{questionId}/answer", "200") })
        {
            var operation = paths.GetProperty(path).GetProperty("post");
            Assert.Contains("QuestionBody", operation.GetProperty("requestBody").GetRawText(), StringComparison.Ordinal);
            var responses = operation.GetProperty("responses");
            Assert.Contains("QuestionResponse", responses.GetProperty(success).GetRawText(), StringComparison.Ordinal);
            foreach (var refusal in new[] { "400", "403", "404", "409" })
            {
                Assert.Contains("application/problem+json", responses.GetProperty(refusal).GetRawText(), StringComparison.Ordinal);
            }
        }

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("RequestResponse").GetProperty("properties").TryGetProperty("questions", out _));
    }

    private static string ApiProblemType(string code) => $"https://lockboxportal.dev/problems/{code}";

    private async Task<HttpResponseMessage> AskAsync(string who, Guid id)
    {
        using var client = portal.Client(who);
        return await client.PostAsJsonAsync($"/api/v1/requests/{id}/questions", new { text = "Which folders?" });
    }

    private async Task<Guid> AskedAsync(string who, Guid id)
    {
        var response = await AskAsync(who, id);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<HttpResponseMessage> AnswerAsync(string who, Guid id, Guid questionId)
    {
        using var client = portal.Client(who);
        return await client.PostAsJsonAsync($"/api/v1/requests/{id}/questions/{questionId}/answer", new { text = "Inbox and Calendar." });
    }

    private async Task<List<string>> QuestionsAsync(Guid id)
    {
        await using var db = portal.NewContext();
        return await db.RequestQuestions.Where(q => q.AccessRequestId == id).OrderBy(q => q.Id).Select(q => q.Id + " " + q.Answer).ToListAsync();
    }
}
