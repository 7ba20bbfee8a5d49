/*
 * Telling an agent who is looking elsewhere: a short tone and, once allowed, a desktop notification.
 * The tone is made with Web Audio (no sound file to serve); the notification needs the agent's
 * permission, asked for only when they press the button (browsers ignore asking without a click).
 */

export class Alerts {
  /** `button`: shown while the browser has not been told yes or no, and asks when pressed. */
  constructor(button) {
    this.button = button;
    this.audio = null;
    this.supported = "Notification" in window;
    button.addEventListener("click", async () => {
      await Notification.requestPermission();
      this.showButton();
    });
    this.showButton();
  }

  showButton() {
    this.button.hidden = !this.supported || Notification.permission !== "default";
  }

  notify(title, body, tag) {
    this.tone();
    if (this.supported && Notification.permission === "granted") new Notification(title, { body, tag });
  }

  tone() {
    try {
      this.audio = this.audio || new AudioContext();
      const oscillator = this.audio.createOscillator();
      const volume = this.audio.createGain();
      oscillator.frequency.value = 880;
      volume.gain.value = 0.08;
      oscillator.connect(volume).connect(this.audio.destination);
      oscillator.start();
      oscillator.stop(this.audio.currentTime + 0.15);
    } catch (error) { /* no audio device: the notification and the marks still tell */ }
  }
}
