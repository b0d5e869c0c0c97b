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

        services.AddOptions<WebhookSettings>().Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(WebhookSettings.Section).Bind(o));
        services.AddHttpClient(WebhookSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15))
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookNetwork.Handler(sp.GetRequiredService<IOptions<WebhookSettings>>().Value.AllowPrivateNetworks));

        // A singleton that writes outside any request or circuit, so its audit entries name no client.
        services.AddSingleton<IOutboxSender>(sp => ActivatorUtilities.CreateInstance<WebhookSender>(sp, AuditWriter.Unscoped(sp)));
        return services;
    }
}
