using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// A webhook receiver as a customer would write one: a real Kestrel listener on a local port that verifies each call
/// with the stock StandardWebhooks library (signature, and a timestamp no older than its tolerance) and refuses a
/// <c>webhook-id</c> it has already accepted (a replay). It answers 401 to a bad signature or an old timestamp,
/// 409 to a replay, and otherwise the next status a test queued (204 when none is).
/// </summary>
public sealed class TestWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly ConcurrentDictionary<string, bool> _accepted = new();
    private readonly ConcurrentQueue<Call> _calls = new();

    private TestWebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>What arrived, and what the receiver answered.</summary>
    public sealed record Call(string Body, IReadOnlyDictionary<string, string> Headers, int Answer, string? Rejection);

    /// <summary>The endpoint's signing secret, as its owner copied it from the portal.</summary>
    public string? Secret { get; set; }

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/hook";

    public IReadOnlyList<Call> Calls => _calls.ToList();

    /// <summary>Calls that verified and were accepted with a 2xx.</summary>
    public IReadOnlyList<Call> Accepted => _calls.Where(c => c.Answer is >= 200 and < 300).ToList();

    /// <summary>The next calls that verify are answered with these statuses, in order.</summary>
    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _answers.Enqueue(status);
        }
    }

    /// <summary>Every call that verifies is answered with this status until <see cref="AnswerNext"/> queues something else.</summary>
    public int? Always { get; set; }

    public static async Task<TestWebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new TestWebhookReceiver(app);
        app.MapPost("/hook", (Delegate)receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Posts a call of the test's own making, e.g. a captured one again, or one signed with an old timestamp.</summary>
    public async Task<int> PostAsync(string body, IReadOnlyDictionary<string, string> headers)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers.Where(h => h.Key.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        string? rejection = null;
        int answer;
        try
        {
            new StandardWebhook(Secret ?? throw new InvalidOperationException("The receiver has no secret yet.")).Verify(body, context.Request.Headers);
            var id = headers["webhook-id"];
            if (_accepted.ContainsKey(id))
            {
                rejection = "replay";
                answer = StatusCodes.Status409Conflict;
            }
            else
            {
                answer = _answers.TryDequeue(out var queued) ? queued : Always ?? StatusCodes.Status204NoContent;
                if (answer is >= 200 and < 300)
                {
                    _accepted[id] = true;
                }
            }
        }
        catch (Exception ex) when (ex is StandardWebhooks.Diagnostics.WebhookVerificationException or InvalidOperationException or FormatException)
        {
            rejection = ex.Message;
            answer = StatusCodes.Status401Unauthorized;
        }

        _calls.Enqueue(new Call(body, headers, answer, rejection));
        return Results.Text(answer >= 400 ? $"<b>refused</b> ({rejection ?? "as told"})" : "", statusCode: answer);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
