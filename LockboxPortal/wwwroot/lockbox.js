// Small browser helpers the portal calls through JS interop.
window.lockbox = {
    theme: {
        remembered: () => localStorage.getItem("lockbox-theme"),
        show: name => { document.documentElement.dataset.theme = name; },
        remember: name => { localStorage.setItem("lockbox-theme", name); document.documentElement.dataset.theme = name; },
    },
    copy: text => navigator.clipboard.writeText(text),
    narrow: () => window.matchMedia("(max-width: 959.98px)").matches,
    timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    download: (name, type, text) => {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([text], { type }));
        link.download = name;
        link.click();
        URL.revokeObjectURL(link.href);
    },
};

