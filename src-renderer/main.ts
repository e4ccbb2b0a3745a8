import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { useToasts } from './stores/toasts';
import './styles.css';
import { errorMessage } from '../src-shared/api/errors';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);

// Anything that escapes a view's own handling still reaches the user.
const toasts = useToasts(pinia);
app.config.errorHandler = (err) => {
  console.error(err);
  toasts.push('error', errorMessage(err));
};
window.addEventListener('unhandledrejection', (ev) => {
  const reason: unknown = ev.reason;
  toasts.push('error', errorMessage(reason));
});

app.mount('#app');
