using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Features.Webhooks;

public static class WebhooksSetup
{
    /// <summary>Webhook endpoints: their authorization, service, the planner the outbox calls, and the outbox's webhook sender.</summary>
    public static IServiceCollection AddLockboxWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, WebhookAuthorizationHandler>();
        services.AddScoped<WebhookService>();
        services.AddSingleton<WebhookPlanner>();

        services.AddOptions<WebhookSettings>().Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(WebhookSettings.Section).Bind(o))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookSettings>>(new WebhookSettingsValidation());

        // The pipeline bounds each try and the attempt; the client's own timeout would cut the quick retries short.
        services.AddHttpClient(WebhookSender.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookNetwork.Handler(sp.GetRequiredService<IOptions<WebhookSettings>>().Value.AllowPrivateNetworks))
            .AddResilienceHandler(WebhookTries.PipelineName, WebhookTries.Configure);

        // A singleton that writes outside any request or circuit, so its audit entries name no client.
        services.AddSingleton<IOutboxSender>(sp => ActivatorUtilities.CreateInstance<WebhookSender>(sp, AuditWriter.Unscoped(sp)));
        return services;
    }
}

/// <summary>Refuses quick-retry settings that could outlast the outbox lease, saying which and why.</summary>
internal sealed class WebhookSettingsValidation : IValidateOptions<WebhookSettings>
{
    public ValidateOptionsResult Validate(string? name, WebhookSettings options) =>
        options.Problem(OutboxDispatcher.Lease) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
