using System.Text;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace LockboxPortal.Features.Webhooks;

/// <summary>
/// The tries of one delivery attempt, through the standard .NET resilience library on the <c>webhooks</c> client: a
/// transient failure is tried again at once, <see cref="WebhookSettings.Retries"/> times with exponential backoff from
/// <see cref="WebhookSettings.RetryDelay"/>, each try bounded by <see cref="WebhookSettings.TryTimeout"/>, all on the
/// portal's <see cref="TimeProvider"/>. What each try got back is collected here, so the delivery log has a row per
/// try, not only the last one. When the tries are used up the attempt fails, and the outbox's backoff (minutes to an
/// hour, across restarts and nodes) takes over.
/// </summary>
/// <remarks>
/// Every try of one attempt carries the same <c>webhook-id</c>, timestamp and signature: the tries are seconds apart,
/// well inside the five minutes a Standard Webhooks receiver accepts, and a receiver that saw an earlier try drops the
/// repeat by its id. A <c>Retry-After</c> answer is not waited for inside the attempt (it could hold the outbox lease
/// for an hour); the outbox tries again later. A refused address (<see cref="WebhookAddressRefusedException"/>) is
/// never tried again at once.
/// </remarks>
public sealed class WebhookTries
{
    public const string PipelineName = "webhook-tries";

    private static readonly ResiliencePropertyKey<WebhookTries> Key = new("lockbox.webhook-tries");

    private readonly List<WebhookTry> _failed = [];
    private readonly TimeProvider _time;

    private WebhookTries(TimeProvider time, DateTimeOffset firstAt)
    {
        _time = time;
        NextAt = firstAt;
    }

    /// <summary>When the try in progress was sent.</summary>
    public DateTimeOffset NextAt { get; private set; }

    /// <summary>The tries that failed and were tried again, in order; the last try is the sender's to record.</summary>
    public IReadOnlyList<WebhookTry> Failed => _failed;

    /// <summary>Starts collecting the tries of <paramref name="request"/>; give the context back with <see cref="Return"/>.</summary>
    public static (WebhookTries Tries, ResilienceContext Context) Track(HttpRequestMessage request, TimeProvider time, CancellationToken cancellationToken)
    {
        var tries = new WebhookTries(time, time.GetUtcNow());
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Key, tries);
        request.SetResilienceContext(context);
        return (tries, context);
    }

    public static void Return(ResilienceContext context) => ResilienceContextPool.Shared.Return(context);

    /// <summary>The <c>webhooks</c> client's pipeline: quick retries (when any), and a timeout on each try.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var settings = context.ServiceProvider.GetRequiredService<IOptions<WebhookSettings>>().Value;
        pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
        if (settings.Retries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = settings.Retries,
                Delay = settings.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                OnRetry = RecordAsync,
            });
        }

        pipeline.AddTimeout(WebhookSettings.TryTimeout);
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is not WebhookAddressRefusedException && outcome.Exception?.InnerException is not WebhookAddressRefusedException
        && HttpClientResiliencePredicates.IsTransient(outcome);

    /// <summary>Called by the retry strategy after a failed try, before its wait: what the try got back, and when the next one goes.</summary>
    private static async ValueTask RecordAsync(OnRetryArguments<HttpResponseMessage> args)
    {
        if (!args.Context.Properties.TryGetValue(Key, out var tries))
        {
            return;
        }

        var (status, answer, error) = args.Outcome.Result is { } response
            ? ((int?)response.StatusCode, await SnippetAsync(response, args.Context.CancellationToken), $"The endpoint answered {(int)response.StatusCode}.")
            : (null, null, Describe(args.Outcome.Exception));
        tries._failed.Add(new WebhookTry(tries.NextAt, status, answer, error));
        tries.NextAt = tries._time.GetUtcNow() + args.RetryDelay;
    }

    /// <summary>What a try that got no answer ran into, as the delivery log says it.</summary>
    public static string Describe(Exception? exception) => exception switch
    {
        TimeoutRejectedException or TaskCanceledException => "The endpoint did not answer in time.",
        null => "The endpoint did not answer.",
        _ => exception.Message,
    };

    /// <summary>The first <see cref="WebhookDelivery.SnippetLength"/> characters of an answer.</summary>
    public static async Task<string> SnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new char[WebhookDelivery.SnippetLength];
        using var reader = new StreamReader(body, Encoding.UTF8);
        var read = await reader.ReadBlockAsync(buffer, cancellationToken);
        return new string(buffer, 0, read);
    }
}

/// <summary>One try of a delivery attempt: when it was sent and what came back.</summary>
public sealed record WebhookTry(DateTimeOffset At, int? StatusCode, string? Answer, string? Error);
