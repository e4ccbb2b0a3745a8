import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { useToasts } from './stores/toasts';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);

// Anything that escapes a view's own handling still reaches the user.
const toasts = useToasts(pinia);
app.config.errorHandler = (err) => {
  console.error(err);
  toasts.push('error', err instanceof Error ? err.message : String(err));
};
window.addEventListener('unhandledrejection', (ev) => {
  const reason: unknown = ev.reason;
  toasts.push('error', reason instanceof Error ? reason.message : String(reason));
});

app.mount('#app');
